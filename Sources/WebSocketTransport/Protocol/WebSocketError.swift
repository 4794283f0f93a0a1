public import Transport

/// An error of the WebSocket transport: it says which rule was broken, with the values
/// involved, the close code sent or received when there was one, and wraps the underlying
/// error (TLS, socket, HTTP, serializer) as ``cause``.
public struct WebSocketError: WAMPTransportError {
    /// What went wrong. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, invalidURL, upgradeRefused, subprotocolUnsupported, handshakeTimeout
            case connectionFailed, protocolViolation, unsupportedData, invalidUTF8, messageTooLarge
            case pingTimeout, closedByPeer, connectionClosed, invalidMessage
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A transport URL could not be understood.
        public static let invalidURL = Code(.invalidURL)
        /// The server did not upgrade the HTTP request to a WebSocket (wrong path, not a
        /// WebSocket server, bad `Sec-WebSocket-Accept`).
        public static let upgradeRefused = Code(.upgradeRefused)
        /// No `wamp.2.*` subprotocol both sides support: the server offered none of the
        /// client's, or the client offered none the server accepts.
        public static let subprotocolUnsupported = Code(.subprotocolUnsupported)
        /// The opening handshake did not complete in time.
        public static let handshakeTimeout = Code(.handshakeTimeout)
        /// The socket or TLS failed before the opening handshake completed.
        public static let connectionFailed = Code(.connectionFailed)
        /// The peer broke the WebSocket protocol (close code 1002): a continuation without a
        /// start, a new message inside a fragmented one, reserved bits, an unknown opcode.
        public static let protocolViolation = Code(.protocolViolation)
        /// A message of the wrong kind for the serializer (close code 1003): a text frame
        /// for MessagePack, a binary frame for JSON.
        public static let unsupportedData = Code(.unsupportedData)
        /// A text message that is not valid UTF-8 (close code 1007).
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A received message is larger than `WAMPConnectionSettings.maxReceiveLength` (close
        /// code 1009), or a message to send is larger than the peer accepts (nothing sent, the
        /// connection stays usable).
        public static let messageTooLarge = Code(.messageTooLarge)
        /// A PING went unanswered for ``WebSocketConfiguration/pingTimeout``.
        public static let pingTimeout = Code(.pingTimeout)
        /// The peer closed the connection with a close code other than 1000 or 1001.
        public static let closedByPeer = Code(.closedByPeer)
        /// The connection is closed.
        public static let connectionClosed = Code(.connectionClosed)
        /// A received message could not be deserialized or is not a valid WAMP message;
        /// ``WebSocketError/cause`` holds the serializer's error.
        public static let invalidMessage = Code(.invalidMessage)

        public var description: String { String(describing: base) }

        /// The transport-independent kind of this code.
        public var kind: WAMPTransportErrorKind {
            switch base {
            case .invalidConfiguration: .invalidConfiguration
            case .invalidURL: .invalidURL
            case .upgradeRefused, .subprotocolUnsupported: .refused
            case .handshakeTimeout, .pingTimeout: .timedOut
            case .connectionFailed: .connectionFailed
            case .protocolViolation, .unsupportedData, .invalidUTF8: .protocolViolation
            case .messageTooLarge: .messageTooLarge
            case .closedByPeer, .connectionClosed: .connectionClosed
            case .invalidMessage: .invalidMessage
            }
        }
    }

    /// The transport-independent kind of the failure.
    public var kind: WAMPTransportErrorKind { code.kind }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation with the values involved.
    public var message: String
    /// The WebSocket close code sent (for errors this side detected) or received
    /// (``Code/closedByPeer``), when there was one.
    public var closeCode: UInt16?
    /// The underlying error, if any.
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, closeCode: UInt16? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.closeCode = closeCode
        self.cause = cause
    }

    public var description: String {
        var out = "WebSocket error (\(code)): \(message)"
        if let closeCode { out += " [close code \(closeCode)]" }
        if let cause { out += " (cause: \(cause))" }
        return out
    }
}
