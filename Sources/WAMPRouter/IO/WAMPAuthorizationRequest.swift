public import Transport

/// A request the router asks its ``WAMPAuthorizer`` about: who wants to do what with which URI.
public struct WAMPAuthorizationRequest: Sendable, Hashable {
    /// What the session asks for.
    public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
        /// SUBSCRIBE.
        case subscribe
        /// PUBLISH.
        case publish
        /// REGISTER.
        case register
        /// CALL.
        case call
    }

    /// The session asking.
    public var session: WAMPSessionIdentity
    /// What it asks for.
    public var action: Action
    /// The topic, procedure or pattern.
    public var uri: String
    /// The request's options (`match`, `invoke`, `exclude_me` ...).
    public var options: [String: WAMPValue]

    /// Creates a request.
    public init(session: WAMPSessionIdentity, action: Action, uri: String, options: [String: WAMPValue]) {
        self.session = session
        self.action = action
        self.uri = uri
        self.options = options
    }
}
