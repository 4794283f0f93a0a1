public import Transport

/// Who a session on the router is: its ID, realm and authentication.
public struct WAMPSessionIdentity: Sendable, Hashable {
    /// The session ID from WELCOME.
    public var session: WAMPID
    /// The realm joined.
    public var realm: String
    /// The authenticated ID (for anonymous sessions, the session ID in decimal).
    public var authid: String
    /// The role the session was given.
    public var authrole: String
    /// How the session authenticated: `anonymous`, `ticket`, `wampcra` or `cryptosign`.
    public var authmethod: String
    /// Who authenticated it: `static` (the realm's users, or anonymous), `dynamic` (the
    /// ``WAMPAuthenticator``).
    public var authprovider: String

    /// Creates an identity.
    public init(
        session: WAMPID, realm: String, authid: String, authrole: String, authmethod: String, authprovider: String = "static"
    ) {
        self.session = session
        self.realm = realm
        self.authid = authid
        self.authrole = authrole
        self.authmethod = authmethod
        self.authprovider = authprovider
    }
}
