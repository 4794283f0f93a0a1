/// Someone who may join a realm with credentials: an authid, the role it gets, and how it proves
/// who it is. Listed in ``WAMPRouter/Realm/users`` (the router's static authentication) or
/// returned by a ``WAMPAuthenticator``.
///
/// ```swift
/// var realm = WAMPRouter.Realm("com.example")
/// realm.users = [
///     WAMPUser(authid: "joe", authrole: "frontend", ticket: "secret!!!"),
///     WAMPUser(authid: "peter", authrole: "backend", wampcra: .init(secret: "secret2", salt: "salt123")),
///     WAMPUser(authid: "alice", authrole: "backend", cryptosignKeys: ["4c5b...e1"]),
/// ]
/// ```
///
/// A user may have several credentials; the method the client asks for picks one.
public struct WAMPUser: Sendable, Hashable {
    /// A WAMP-CRA secret, optionally salted.
    public struct CRASecret: Sendable, Hashable {
        /// The secret the client has.
        public var secret: String
        /// The salt: when set, the key is the Base64 text of
        /// PBKDF2-HMAC-SHA256(secret, salt, iterations, keyLength) and the CHALLENGE announces the
        /// salt, iterations and key length. Default: `nil`, the secret is the key.
        public var salt: String?
        /// PBKDF2 iterations of a salted secret. Default: 1000 (Autobahn's default).
        public var iterations: Int = 1000
        /// The derived key's length in octets of a salted secret. Default: 32 (Autobahn's default).
        public var keyLength: Int = 32

        /// A secret, salted when `salt` is given.
        public init(secret: String, salt: String? = nil, iterations: Int = 1000, keyLength: Int = 32) {
            self.secret = secret
            self.salt = salt
            self.iterations = iterations
            self.keyLength = keyLength
        }
    }

    /// The authenticated ID, as WELCOME `authid` says it.
    public var authid: String
    /// The role the session gets: its permissions when the realm has
    /// ``WAMPRouter/Realm/roles``.
    public var authrole: String
    /// The ticket for the `ticket` method. Default: `nil`, no ticket login.
    public var ticket: String?
    /// The secret for the `wampcra` method. Default: `nil`, no WAMP-CRA login.
    public var wampcra: CRASecret?
    /// The Ed25519 public keys (64 hex digits each) for the `cryptosign` method. Default: none.
    public var cryptosignKeys: Set<String>

    /// A user with the given credentials (none by default).
    public init(
        authid: String, authrole: String, ticket: String? = nil, wampcra: CRASecret? = nil, cryptosignKeys: Set<String> = []
    ) {
        self.authid = authid
        self.authrole = authrole
        self.ticket = ticket
        self.wampcra = wampcra
        self.cryptosignKeys = Set(cryptosignKeys.map { $0.lowercased() })
    }

    /// The methods the user's credentials allow.
    public var authMethods: Set<WAMPAuthMethod> {
        var methods: Set<WAMPAuthMethod> = []
        if ticket != nil { methods.insert(.ticket) }
        if wampcra != nil { methods.insert(.wampcra) }
        if !cryptosignKeys.isEmpty { methods.insert(.cryptosign) }
        return methods
    }
}
