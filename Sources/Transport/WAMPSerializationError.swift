/// The bytes of a message could not be turned into a WAMP message, or a message could not be
/// turned into bytes: malformed JSON or MessagePack, invalid UTF-8, nesting or size beyond the
/// limits, trailing bytes.
///
/// Serializer plugins throw this error for problems with the encoding itself, and
/// ``WAMPProtocolError`` for well-formed data that is not a valid WAMP message.
public struct WAMPSerializationError: Error, Hashable, Sendable {
    /// What was wrong. New codes may be added; switch with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformed, truncated, trailingBytes, invalidUTF8, nestingTooDeep
            case tooLarge, nonStringKey, unsupportedValue, unsupportedType
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is not valid in the serialization format.
        public static let malformed = Code(.malformed)
        /// The input ends in the middle of a value.
        public static let truncated = Code(.truncated)
        /// Bytes follow the message.
        public static let trailingBytes = Code(.trailingBytes)
        /// A string is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Lists and dicts are nested deeper than the configured limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// The input or a value in it is larger than the configured limit.
        public static let tooLarge = Code(.tooLarge)
        /// A dictionary key is not a string.
        public static let nonStringKey = Code(.nonStringKey)
        /// A value cannot be represented in the format (NaN or infinity in JSON).
        public static let unsupportedValue = Code(.unsupportedValue)
        /// A type of the format that WAMP does not use (a MessagePack extension type).
        public static let unsupportedType = Code(.unsupportedType)

        /// The code's name: `malformed`, `truncated`, ...
        public var description: String { String(describing: base) }
    }

    /// What was wrong.
    public var code: Code
    /// The serializer that raised it ("json", "msgpack", ...).
    public var serializer: String
    /// A human-readable explanation with the offending values.
    public var message: String
    /// The byte offset in the input where the problem was found, when known.
    public var offset: Int?

    /// Creates an error.
    public init(_ code: Code, serializer: String, offset: Int? = nil, _ message: String) {
        self.code = code
        self.serializer = serializer
        self.offset = offset
        self.message = message
    }
}

extension WAMPSerializationError: CustomStringConvertible {
    /// The serializer, code, offset and explanation in one line, for logs.
    public var description: String {
        var out = "\(serializer) serialization error (\(code))"
        if let offset { out += " at byte \(offset)" }
        return out + ": " + message
    }
}
