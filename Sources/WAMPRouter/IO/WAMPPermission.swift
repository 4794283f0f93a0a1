/// What a role may do with the URIs a pattern matches: part of a ``WAMPRole``.
///
/// ```swift
/// WAMPPermission(uri: "com.example.", match: .prefix, allow: [.call, .subscribe])
/// ```
public struct WAMPPermission: Sendable, Hashable {
    /// How ``uri`` matches the URI of a request.
    public enum Match: String, Sendable, Hashable, CaseIterable, Codable {
        /// The request's URI equals the pattern.
        case exact
        /// The request's URI starts with the pattern, as strings (`com.example.` matches
        /// `com.example.a.b`).
        case prefix
        /// The request's URI has as many components as the pattern and equals it in each one
        /// that is not empty in the pattern (`com..update` matches `com.x.update`).
        case wildcard
    }

    /// The URI pattern.
    public var uri: String
    /// How it matches. Default: ``Match/exact``.
    public var match: Match
    /// The requests allowed on matching URIs.
    public var allow: Set<WAMPAuthorizationRequest.Action>

    /// A permission.
    public init(uri: String, match: Match = .exact, allow: Set<WAMPAuthorizationRequest.Action>) {
        self.uri = uri
        self.match = match
        self.allow = allow
    }

    /// Whether this permission allows `action` on `requested` (the URI or pattern of the
    /// request, compared as it is written).
    public func allows(_ action: WAMPAuthorizationRequest.Action, on requested: String) -> Bool {
        guard allow.contains(action) else { return false }
        switch match {
        case .exact:
            return requested == uri
        case .prefix:
            return requested.hasPrefix(uri)
        case .wildcard:
            let pattern = uri.split(separator: ".", omittingEmptySubsequences: false)
            let components = requested.split(separator: ".", omittingEmptySubsequences: false)
            guard pattern.count == components.count else { return false }
            return zip(pattern, components).allSatisfy { $0.isEmpty || $0 == $1 }
        }
    }
}
