/// A role of a realm and what its sessions may do: see ``WAMPRouter/Realm/roles``. A request is
/// allowed when one of the role's permissions allows it.
///
/// ```swift
/// WAMPRole("frontend", permissions: [
///     WAMPPermission(uri: "com.example.api.", match: .prefix, allow: [.call]),
///     WAMPPermission(uri: "com.example..changed", match: .wildcard, allow: [.subscribe]),
/// ])
/// ```
public struct WAMPRole: Sendable, Hashable {
    /// The role's name: the authrole of its sessions.
    public var name: String
    /// What its sessions may do. Default: nothing.
    public var permissions: [WAMPPermission]

    /// A role.
    public init(_ name: String, permissions: [WAMPPermission] = []) {
        self.name = name
        self.permissions = permissions
    }

    /// Whether a permission allows `action` on `uri`.
    public func allows(_ action: WAMPAuthorizationRequest.Action, on uri: String) -> Bool {
        permissions.contains { $0.allows(action, on: uri) }
    }
}
