extension WAMPRouter {
    /// A realm the router offers: who may join it and, with ``roles``, what each role may do.
    ///
    /// ```swift
    /// var realm = WAMPRouter.Realm("com.example")
    /// realm.allowsAnonymous = false
    /// realm.users = [WAMPUser(authid: "joe", authrole: "frontend", ticket: "secret!!!")]
    /// realm.roles = [WAMPRole("frontend", permissions: [
    ///     WAMPPermission(uri: "com.example.", match: .prefix, allow: [.call, .subscribe]),
    /// ])]
    /// ```
    public struct Realm: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The realm's URI, as clients name it in HELLO.
        public var name: String
        /// Whether sessions may join without credentials (HELLO without `authmethods`, or with
        /// `anonymous` among them). Default: `true`.
        public var allowsAnonymous: Bool = true
        /// The `authrole` of the anonymous sessions that join it. Default: `anonymous`.
        public var anonymousAuthRole: String = "anonymous"
        /// The users who may join with credentials (ticket, WAMP-CRA, cryptosign): the router's
        /// static authentication, `authprovider` `static`. A ``WAMPRouter/Configuration/authenticator``
        /// replaces it for the methods it serves. Default: none.
        public var users: [WAMPUser] = []
        /// The roles and their permissions. When empty, every session may do everything (the
        /// ``WAMPRouter/Configuration/authorizer`` aside); when not, a session may subscribe,
        /// publish, register and call only what a permission of its role allows (a role not
        /// listed may do nothing), and is refused with ERROR `wamp.error.not_authorized`.
        /// Default: none.
        public var roles: [WAMPRole] = []

        /// A realm named `name`, with the default settings.
        public init(_ name: String) {
            self.name = name
        }

        /// A realm named by a string literal.
        public init(stringLiteral name: String) {
            self.init(name)
        }
    }
}
