extension WAMPRouter {
    /// The bounds on what one session or realm may hold. A request over a limit is refused with
    /// ERROR (or, for a session over ``sessionsPerRealm``, ABORT) with reason
    /// ``WAMPRouter/limitExceededURI`` and a message naming the limit; the session goes on.
    public struct Limits: Sendable, Hashable {
        /// Messages waiting to be written to one session. A session that falls this far behind
        /// (a slow subscriber or callee) is ended with ABORT
        /// ``WAMPRouter/outboundQueueOverflowURI`` and its transport closed; the others are not
        /// slowed down. Default: 1024.
        public var outboundQueueLength = 1024
        /// Octets of messages waiting to be written to one session, estimated before they are
        /// serialized (strings and binary by their length, numbers 9 octets, 5 octets of
        /// framing per string, binary, list and dict: close to MessagePack and CBOR, below JSON
        /// for binary and escaped strings). A session whose queue would grow beyond this (a
        /// slow subscriber of large EVENTs) is ended like one over ``outboundQueueLength``; a
        /// message alone in the queue is always taken, whatever its size (the transport's
        /// message size limit bounds it). Default: 16 MiB (16,777,216).
        public var outboundQueueOctets = 16 * 1024 * 1024
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

    /// `swiftwamp.error.limit_exceeded`: the reason of the ERROR or ABORT refusing a request over
    /// one of the ``Limits``; its first argument names the limit and its value.
    public static let limitExceededURI = "swiftwamp.error.limit_exceeded"
    /// `swiftwamp.error.outbound_queue_overflow`: the reason of the ABORT ending a session that
    /// did not take its messages fast enough (``Limits/outboundQueueLength``).
    public static let outboundQueueOverflowURI = "swiftwamp.error.outbound_queue_overflow"
}
