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

        /// The default settings.
        public init() {}

        /// The default settings with these realms.
        public init(realms: [Realm]) {
            self.realms = realms
        }
    }

    /// The bounds on what one session or realm may hold. A request over a limit is refused with
    /// ERROR (or, for a session over ``sessionsPerRealm``, ABORT) with reason
    /// ``WAMPRouter/limitExceededURI`` and a message naming the limit; the session goes on.
    public struct Limits: Sendable, Hashable {
        /// Messages waiting to be written to one session. A session that falls this far behind
        /// (a slow subscriber or callee) is ended with ABORT
        /// ``WAMPRouter/outboundQueueOverflowURI`` and its transport closed; the others are not
        /// slowed down. Default: 1024.
        public var outboundQueueLength = 1024
        /// Sessions joined to one realm at once. Default: 10,000.
        public var sessionsPerRealm = 10_000
        /// Subscriptions one session holds. Default: 1,000.
        public var subscriptionsPerSession = 1_000
        /// Registrations one session holds. Default: 1,000.
        public var registrationsPerSession = 1_000
        /// Calls one session has in flight (made and not yet answered). Default: 1,000.
        public var pendingCallsPerSession = 1_000

        /// The default limits.
        public init() {}
    }

    /// A realm the router offers.
    public struct Realm: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The realm's URI, as clients name it in HELLO.
        public var name: String
        /// The `authrole` of the anonymous sessions that join it. Default: `anonymous`.
        public var anonymousAuthRole: String = "anonymous"

        /// A realm named `name`, with the default settings.
        public init(_ name: String) {
            self.name = name
        }

        /// A realm named by a string literal.
        public init(stringLiteral name: String) {
            self.init(name)
        }
    }

    /// `swiftwamp.error.limit_exceeded`: the reason of the ERROR or ABORT refusing a request over
    /// one of the ``Limits``; its first argument names the limit and its value.
    public static let limitExceededURI = "swiftwamp.error.limit_exceeded"
    /// `swiftwamp.error.outbound_queue_overflow`: the reason of the ABORT ending a session that
    /// did not take its messages fast enough (``Limits/outboundQueueLength``).
    public static let outboundQueueOverflowURI = "swiftwamp.error.outbound_queue_overflow"
}
