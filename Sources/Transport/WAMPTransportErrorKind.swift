/// The transport-independent kind of a ``WAMPTransportError``.
///
/// An open set: new kinds may be added; switch with a `default` case.
public struct WAMPTransportErrorKind: Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case connectionClosed, messageTooLarge, timedOut, refused, invalidMessage, protocolViolation
        case connectionFailed, invalidConfiguration, invalidURL
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The connection is closed (by this side, by the peer, or after a failure): nothing more
    /// can be sent.
    public static let connectionClosed = Self(.connectionClosed)
    /// A message is larger than the limit: one to send exceeds what the peer accepts (it was not
    /// sent, the connection stays usable), or a received one exceeds this side's limit.
    public static let messageTooLarge = Self(.messageTooLarge)
    /// Something did not happen in time: the opening handshake, or the answer to a keepalive
    /// PING.
    public static let timedOut = Self(.timedOut)
    /// The peer refused the connection's opening handshake (no common serializer, a wrong
    /// path, the server is at its connection limit, ...).
    public static let refused = Self(.refused)
    /// A received message could not be deserialized or is not a valid WAMP message.
    public static let invalidMessage = Self(.invalidMessage)
    /// The peer broke the transport's framing protocol.
    public static let protocolViolation = Self(.protocolViolation)
    /// The socket or TLS failed (refused, reset, certificate rejected).
    public static let connectionFailed = Self(.connectionFailed)
    /// A configuration value is out of range.
    public static let invalidConfiguration = Self(.invalidConfiguration)
    /// A transport URL could not be understood.
    public static let invalidURL = Self(.invalidURL)

    public var description: String { String(describing: base) }
}
