extension WAMPRouter {
    /// The settings of a router; every default is given once, here.
    ///
    /// ```swift
    /// var configuration = WAMPRouter.Configuration(realms: ["realm1", "com.example"])
    /// configuration.limits.pendingCallsPerSession = 100
    /// let router = WAMPRouter(configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// The realms clients may join; more are added at run time with
        /// ``WAMPRouter/addRealm(_:)``. Default: one realm, `realm1`.
        public var realms: [Realm] = ["realm1"]
        /// The bounds that keep the router's memory and each session's share of it in check.
        /// Default: ``Limits/init()``.
        public var limits = Limits()
        /// How long a session the router ends gets to take its last message and answer: the
        /// GOODBYE reply at shutdown, the ABORT after a protocol violation or to a slow
        /// consumer. After it, the transport is closed. Default: 5 seconds.
        public var closeGracePeriod: Duration = .seconds(5)
        /// How long a connection may stay without a session: before its HELLO, and after a
        /// GOODBYE before the next HELLO. After it the transport is closed. Default: 10 seconds.
        public var helloTimeout: Duration = .seconds(10)
        /// Consulted for each SUBSCRIBE, PUBLISH, REGISTER and CALL; a refusal is answered with
        /// ERROR `wamp.error.not_authorized`. Default: `nil`, everything is allowed.
        public var authorizer: (any WAMPAuthorizer)? = nil
        /// Looks up the users of logins with the methods it names, in place of the realms'
        /// static ``Realm/users``. Default: `nil`, only the realms' users.
        public var authenticator: (any WAMPAuthenticator)? = nil

        /// The default settings.
        public init() {}

        /// The default settings with these realms.
        public init(realms: [Realm]) {
            self.realms = realms
        }
    }
}
