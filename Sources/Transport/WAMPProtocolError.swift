/// A WAMP message broke a rule of the WAMP message layer: it names the rule and the
/// offending value.
///
/// A peer that receives such a message answers `ABORT` with the reason
/// ``WAMPURI/protocolViolation`` and closes the session.
///
/// ```swift
/// do { _ = try WAMPMessage(elements: [36, 0, 1, [:]]) }
/// catch let error as WAMPProtocolError where error.code == .idOutOfRange { ... }
/// ```
public struct WAMPProtocolError: Error, Hashable, Sendable {
    /// Which rule was broken. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notAList, emptyMessage, messageTypeNotInteger, unknownMessageType
            case wrongElementCount, wrongElementType, idOutOfRange, invalidRequestType
            case invalidURI
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The message is not a list.
        public static let notAList = Code(.notAList)
        /// The message is an empty list.
        public static let emptyMessage = Code(.emptyMessage)
        /// The first element is not an integer message type code.
        public static let messageTypeNotInteger = Code(.messageTypeNotInteger)
        /// The message type code is not known (only raised where unknown codes are refused).
        public static let unknownMessageType = Code(.unknownMessageType)
        /// The message has too few or too many elements for its type.
        public static let wrongElementCount = Code(.wrongElementCount)
        /// An element has the wrong type (a string where a dict belongs, ...).
        public static let wrongElementType = Code(.wrongElementType)
        /// An ID is outside 1 ... 2^53.
        public static let idOutOfRange = Code(.idOutOfRange)
        /// An ERROR's request type is not one of 16, 32, 34, 48, 64, 66, 68.
        public static let invalidRequestType = Code(.invalidRequestType)
        /// A URI is empty or not well-formed.
        public static let invalidURI = Code(.invalidURI)

        /// The code's name: `idOutOfRange`, `invalidURI`, ...
        public var description: String { String(describing: base) }
    }

    /// The rule that was broken.
    public var code: Code
    /// The message type involved, when known.
    public var messageType: WAMPMessageType?
    /// Which element or field (for example "Request|id" or "Details").
    public var field: String?
    /// A human-readable explanation including the offending value.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, messageType: WAMPMessageType? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.messageType = messageType
        self.field = field
        self.message = message
    }
}

extension WAMPProtocolError: CustomStringConvertible {
    /// The code, message type, field and explanation in one line, for logs.
    public var description: String {
        var out = "WAMP protocol violation (\(code))"
        if let messageType { out += " in \(messageType)" }
        if let field { out += ", \(field)" }
        return out + ": " + message
    }
}
