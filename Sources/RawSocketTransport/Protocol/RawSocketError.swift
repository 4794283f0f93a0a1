public import Transport

/// An error of the RawSocket transport: it says which rule was broken, with the values
/// involved, and wraps the underlying error (TLS, socket, serializer) as ``cause``. Its
/// ``kind`` says the same in the terms every transport shares.
public struct RawSocketError: WAMPTransportError {
    /// What went wrong. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, badMagic, reservedBitsSet, reservedFrameType, frameTooLarge
            case messageTooLarge, handshakeRefused, serializerUnsupported, serializerMismatch
            case handshakeTimeout, tooManyUnansweredPings, connectionClosed, unexpectedEndOfStream
            case invalidMessage, invalidURL, connectionFailed, unexpectedHandshake, decodingFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value is out of range (for example a `maxReceiveLength` that is not a
        /// power of two from 512 to 2^24).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The handshake did not start with the magic octet 0x7F.
        public static let badMagic = Code(.badMagic)
        /// Reserved bits of the handshake or of a frame header were set.
        public static let reservedBitsSet = Code(.reservedBitsSet)
        /// A frame of a reserved type (3 ... 7) arrived.
        public static let reservedFrameType = Code(.reservedFrameType)
        /// A received frame is longer than this side's announced limit.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A message to send is longer than the peer's limit; it was not sent and the
        /// connection stays usable.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// The server refused the handshake; ``RawSocketError/handshakeErrorCode`` says why.
        public static let handshakeRefused = Code(.handshakeRefused)
        /// The client asked for a serializer (0, or one this server does not accept).
        public static let serializerUnsupported = Code(.serializerUnsupported)
        /// The server's reply names another serializer than the one the client asked for.
        public static let serializerMismatch = Code(.serializerMismatch)
        /// The handshake did not complete in time.
        public static let handshakeTimeout = Code(.handshakeTimeout)
        /// More PINGs than `maxPings` went unanswered.
        public static let tooManyUnansweredPings = Code(.tooManyUnansweredPings)
        /// The connection is closed.
        public static let connectionClosed = Code(.connectionClosed)
        /// The peer closed the connection in the middle of a handshake or frame.
        public static let unexpectedEndOfStream = Code(.unexpectedEndOfStream)
        /// A received message could not be deserialized or is not a valid WAMP message;
        /// ``RawSocketError/cause`` holds the serializer's error.
        public static let invalidMessage = Code(.invalidMessage)
        /// The socket or TLS failed (a reset, a refused TLS certificate), during the handshake
        /// or after it; ``RawSocketError/cause`` holds the underlying error.
        public static let connectionFailed = Code(.connectionFailed)
        /// A transport URL could not be understood.
        public static let invalidURL = Code(.invalidURL)
        /// A handshake word arrived after the handshake had completed.
        public static let unexpectedHandshake = Code(.unexpectedHandshake)
        /// The frame decoder failed with an error of its own (not a rule of RawSocket);
        /// ``RawSocketError/cause`` holds it.
        public static let decodingFailed = Code(.decodingFailed)

        /// The transport-independent kind of this code.
        public var kind: WAMPTransportErrorKind {
            switch base {
            case .invalidConfiguration: .invalidConfiguration
            case .invalidURL: .invalidURL
            case .badMagic, .reservedBitsSet, .reservedFrameType, .serializerMismatch, .unexpectedEndOfStream,
                 .unexpectedHandshake, .decodingFailed:
                .protocolViolation
            case .frameTooLarge, .messageTooLarge: .messageTooLarge
            case .handshakeRefused, .serializerUnsupported: .refused
            case .handshakeTimeout, .tooManyUnansweredPings: .timedOut
            case .connectionClosed: .connectionClosed
            case .invalidMessage: .invalidMessage
            case .connectionFailed: .connectionFailed
            }
        }

        public var description: String { String(describing: base) }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation with the values involved.
    public var message: String
    /// The handshake error code of a ``Code/handshakeRefused`` error.
    public var handshakeErrorCode: RawSocketHandshakeErrorCode?
    /// The underlying error, if any.
    public var cause: (any Error)?

    /// The transport-independent kind of the failure.
    public var kind: WAMPTransportErrorKind { code.kind }

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, handshakeErrorCode: RawSocketHandshakeErrorCode? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.handshakeErrorCode = handshakeErrorCode
        self.cause = cause
    }

    public var description: String {
        var out = "RawSocket error (\(code)): \(message)"
        if let cause { out += " (cause: \(cause))" }
        return out
    }
}
