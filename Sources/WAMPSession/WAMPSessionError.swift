public import Transport

/// Why a session could not join, or why a session operation failed: a code, a message naming
/// the values involved and, for ABORT and GOODBYE, the router's reason URI and details.
///
/// ```swift
/// do {
///     try await WAMPSession.withSession(joining: transport, realm: "nosuchrealm") { session in ... }
/// } catch let error as WAMPSessionError where error.code == .aborted {
///     print(error.reason ?? "", error.details)   // wamp.error.no_such_realm ...
/// }
/// ```
public struct WAMPSessionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case aborted, joinTimedOut, authenticationFailed, protocolViolation, connectionLost
            case sessionClosed, notJoined, callTimedOut, eventBufferOverflow, invalidArgument
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The router answered HELLO, or ended the session, with ABORT: see ``reason`` and ``details``.
        public static let aborted = Code(.aborted)
        /// No WELCOME or ABORT arrived within ``WAMPSession/Configuration/joinTimeout``.
        public static let joinTimedOut = Code(.joinTimedOut)
        /// A CHALLENGE could not be answered: method not configured, bad challenge data.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The router broke the protocol; the session sent ABORT `wamp.error.protocol_violation`.
        public static let protocolViolation = Code(.protocolViolation)
        /// The transport closed or failed while the session was open.
        public static let connectionLost = Code(.connectionLost)
        /// The session ended (GOODBYE from either side) before the request was answered.
        public static let sessionClosed = Code(.sessionClosed)
        /// The session is not joined (not yet, reconnecting, or closed).
        public static let notJoined = Code(.notJoined)
        /// A call was not answered within its ``WAMPCallOptions/timeout``; it was canceled.
        public static let callTimedOut = Code(.callTimedOut)
        /// A subscription's buffer of undelivered events was full; the subscription ended.
        public static let eventBufferOverflow = Code(.eventBufferOverflow)
        /// An argument could not be encoded or a result decoded.
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence naming the values involved.
    public var message: String
    /// The reason URI of the ABORT or GOODBYE that ended the session, if one did.
    public var reason: String?
    /// The details of that ABORT or GOODBYE.
    public var details: [String: WAMPValue]
    /// The underlying error (transport failure, encoding error), if any.
    public var cause: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, reason: String? = nil, details: [String: WAMPValue] = [:],
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.reason = reason
        self.details = details
        self.cause = cause
    }

    public var description: String {
        var text = "WAMPSessionError.\(code): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
