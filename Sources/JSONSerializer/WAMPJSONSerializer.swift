public import NIOCore
public import Transport

/// The WAMP JSON serializer (`wamp.2.json`, RawSocket serializer 1).
///
/// Messages are written as compact UTF-8 JSON text by a small writer of its own (no
/// Foundation) and appended to the transport's `ByteBuffer` in one copy. They are read with
/// Foundation's `JSONSerialization`, after a byte scan that enforces the configured limits and
/// UTF-8 and works around the parser's gaps.
///
/// The JSON rules of WAMP apply both ways:
/// - integers stay integers (exact up to `UInt64.max`), floats stay floats (`1.0` is written
///   as `1.0`), and booleans stay booleans: `true` never reads as `1`;
/// - binary values travel as a string of U+0000 followed by standard, padded base64, and
///   an incoming string that starts with U+0000 is decoded to `WAMPValue.binary(_:)`.
///
/// ```swift
/// let serializer = WAMPJSONSerializer()
/// let event = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments(["hello"], [:])))
/// let bytes: [UInt8] = try serializer.serialize(event)     // [36,1,2,{},["hello"]]
/// let decoded = try serializer.deserialize(bytes)          // == event
/// ```
///
/// Errors: malformed bytes throw `WAMPSerializationError` with a specific code; well-formed
/// JSON that is not a valid WAMP message throws `WAMPProtocolError`. No input crashes the
/// serializer.
public struct WAMPJSONSerializer: WAMPSerializer {
    /// The limits this serializer enforces.
    public var configuration: Configuration

    /// Creates a JSON serializer.
    ///
    /// - Parameter configuration: The limits to enforce; the defaults suit RawSocket.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// `WAMPSerializerID.json`: RawSocket serializer 1, subprotocol `wamp.2.json`.
    public var id: WAMPSerializerID { .json }

    /// `false`: JSON is text (WebSocket text frames).
    public var isBinary: Bool { false }

    /// Appends `message` as compact JSON (for example `[36,1,2,{},["hello",42,3.14]]`) to
    /// `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` with code `.unsupportedValue` for NaN or infinity,
    ///   or for a string that starts with U+0000 (in WAMP's JSON that marks binary data), and
    ///   `.nestingTooDeep` for a value nested deeper than ``Configuration/maxNestingDepth``.
    ///   On error `buffer` is left as it was.
    public func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws {
        var writer = JSONWriter(maxNestingDepth: configuration.effectiveMaxNestingDepth)
        try writer.writeList(message.elements, depth: 1)
        buffer.writeBytes(writer.output)
    }

    /// Decodes exactly one message from all readable bytes of `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` for bytes that are not one valid JSON value within
    ///   the limits (`.tooLarge`, `.invalidUTF8`, `.nestingTooDeep`, `.truncated`,
    ///   `.trailingBytes`, `.malformed`, `.unsupportedValue`), and `WAMPProtocolError` for
    ///   well-formed JSON that is not a valid WAMP message. A message type code this library
    ///   does not know is not an error: it gives `WAMPMessage.unknown`.
    public func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage {
        try WAMPMessage(value: deserializeValue(buffer))
    }

    /// Appends any value as compact JSON to `buffer`, with the same rules as
    /// ``serialize(_:into:)``: useful for payloads of their own, such as a passthru payload
    /// with `enc_serializer` `json`.
    ///
    /// - Throws: `WAMPSerializationError`; on error `buffer` is left as it was.
    public func serializeValue(_ value: WAMPValue, into buffer: inout ByteBuffer) throws {
        var writer = JSONWriter(maxNestingDepth: configuration.effectiveMaxNestingDepth)
        try writer.write(value, depth: 0)
        buffer.writeBytes(writer.output)
    }

    /// Decodes one JSON value (not necessarily a message) from all readable bytes of
    /// `buffer`, with the same rules and limits as ``deserialize(_:)``.
    ///
    /// - Throws: `WAMPSerializationError`.
    public func deserializeValue(_ buffer: ByteBuffer) throws -> WAMPValue {
        try JSONReader(maxNestingDepth: configuration.effectiveMaxNestingDepth, maxInputLength: configuration.maxInputLength)
            .read(buffer)
    }
}
