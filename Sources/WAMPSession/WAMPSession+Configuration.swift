public import Transport

extension WAMPSession {
    /// Settings of a session. Every property has a documented default.
    ///
    /// ```swift
    /// var configuration = WAMPSession.Configuration()
    /// configuration.joinTimeout = .seconds(5)
    /// configuration.authentication = .ticket(authid: "joe", ticket: "secret!!!")
    /// ```
    public struct Configuration: Sendable {
        /// How the session authenticates. Default ``WAMPAuthentication/anonymous(authid:)`` without authid.
        public var authentication: WAMPAuthentication
        /// How long to wait for WELCOME or ABORT after HELLO (authentication included). A router
        /// may never answer (Crossbar.io stays silent for a client that announced a too small
        /// RawSocket limit), so this is never infinite. Default 10 s.
        public var joinTimeout: Duration
        /// How long ``WAMPSession/leave(reason:logger:)`` waits for the router's GOODBYE before closing
        /// the transport anyway. Default 5 s.
        public var leaveTimeout: Duration
        /// The most events a subscription (or progressive results a progressive call) buffers
        /// for a reader that does not keep up; beyond it the subscription ends (the call is
        /// canceled) with ``WAMPSessionError/Code/eventBufferOverflow``: nothing is dropped
        /// silently. Default 4096.
        public var eventBufferLimit: Int
        /// The most procedure handlers running at once; an INVOCATION beyond it is answered at
        /// once with ERROR `wamp.error.runtime_error` (the reader never waits for a handler, so a
        /// handler may call the session itself). Default 1024.
        public var maxConcurrentInvocations: Int
        /// Reconnection after the transport drops; `nil` (the default) ends the session instead.
        /// It needs a session made with a connector,
        /// ``WAMPSession/withSession(realm:configuration:logger:connector:isolation:_:)``.
        public var reconnect: WAMPReconnectPolicy?
        /// Extra HELLO details merged over the ones the session sends (roles and authentication
        /// are the session's own). Default none.
        public var helloDetails: [String: WAMPValue]

        /// Creates a configuration with the defaults.
        public init(
            authentication: WAMPAuthentication = .anonymous(), joinTimeout: Duration = .seconds(10),
            leaveTimeout: Duration = .seconds(5), eventBufferLimit: Int = 4096, maxConcurrentInvocations: Int = 1024,
            reconnect: WAMPReconnectPolicy? = nil, helloDetails: [String: WAMPValue] = [:]
        ) {
            self.authentication = authentication
            self.joinTimeout = joinTimeout
            self.leaveTimeout = leaveTimeout
            self.eventBufferLimit = eventBufferLimit
            self.maxConcurrentInvocations = maxConcurrentInvocations
            self.reconnect = reconnect
            self.helloDetails = helloDetails
        }

        /// The roles announced in HELLO, with the features this session implements.
        public static let roles: WAMPValue = [
            "caller": ["features": ["call_canceling": true, "progressive_call_results": true]],
            "callee": ["features": ["call_canceling": true]],
            "publisher": ["features": [:]],
            "subscriber": ["features": [:]],
        ]

        /// The details of HELLO: roles, authentication, then ``helloDetails``.
        public var hello: [String: WAMPValue] {
            var details = authentication.helloDetails
            details["roles"] = Self.roles
            details["agent"] = "swift-wamp-rawsocket"
            for (key, value) in helloDetails where key != "roles" { details[key] = value }
            return details
        }
    }
}
