public import NIOCore
public import Transport

/// The WAMP CBOR serializer (`wamp.2.cbor`, RawSocket serializer 3), built on libcbor.
///
/// Both directions go through libcbor (the `CCBOR` system library), and neither allocates
/// inside libcbor:
/// - serializing encodes each header with a `cbor_encode_*` function straight into the
///   writable memory of the transport's `ByteBuffer`; string and binary bytes follow with one
///   copy;
/// - deserializing runs libcbor's streaming decoder (`cbor_stream_decode`) on the buffer's
///   readable bytes in place, one header at a time, and builds the `WAMPValue` iteratively.
///   Limits are checked at each header before anything is allocated for it, so a header
///   claiming 2^63 elements or bytes costs nothing but its error.
///
/// The CBOR rules of WAMP apply both ways:
/// - `WAMPValue.string(_:)` is a text string (major type 3, UTF-8 checked on reading) and
///   `WAMPValue.binary(_:)` a byte string (major type 2); they never mix;
/// - integers of every width are read: unsigned ones above `Int64.max` stay exact as
///   `WAMPValue.unsignedInteger(_:)`; negative ones below `Int64.min` (CBOR reaches -2^64)
///   do not fit any `WAMPValue` integer and read as the nearest double, as the JSON plugin
///   reads integer literals beyond 64 bits; integers are written in their smallest encoding;
/// - float16, float32 and float64 read as `WAMPValue.double(_:)`; doubles are written as
///   float64;
/// - `null` and `undefined` read as `WAMPValue.null`; null is written as `null`;
/// - indefinite-length strings, arrays and maps are read; only definite lengths are written;
/// - map keys must be text strings; tags are refused (WAMP uses none, and a tag's meaning,
///   such as a bignum, cannot be dropped silently), as are simple values other than `false`,
///   `true`, `null` and `undefined`.
///
/// ```swift
/// let serializer = WAMPCBORSerializer()
/// let event = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments(["hello"], [:])))
/// let bytes: [UInt8] = try serializer.serialize(event)   // 85 18 24 01 02 a0 81 65 68 65 6c 6c 6f
/// let decoded = try serializer.deserialize(bytes)        // == event
/// ```
///
/// Errors: malformed bytes throw `WAMPSerializationError` with a specific code; well-formed
/// CBOR that is not a valid WAMP message throws `WAMPProtocolError`. No input crashes the
/// serializer.
///
/// The serializer holds no mutable state and no C state between calls, so one value can be
/// used from many threads at once.
public struct WAMPCBORSerializer: WAMPSerializer {
    /// The limits this serializer enforces.
    public var configuration: Configuration

    /// Creates a CBOR serializer.
    ///
    /// - Parameter configuration: The limits to enforce; the defaults suit RawSocket.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// `WAMPSerializerID.cbor`: RawSocket serializer 3, subprotocol `wamp.2.cbor`.
    public var id: WAMPSerializerID { .cbor }

    /// `true`: CBOR is binary (WebSocket binary frames).
    public var isBinary: Bool { true }

    /// Appends `message` (its list form, `message.elements`) as one CBOR array to `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` with code `.nestingTooDeep` for a value nested
    ///   deeper than ``Configuration/maxNestingDepth`` (so this serializer never writes what
    ///   it would refuse to read). On error `buffer` is left as it was.
    public func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws {
        try write(into: &buffer) { writer, buffer throws(WAMPSerializationError) in
            try writer.writeList(message.elements, depth: 1, into: &buffer)
        }
    }

    /// Decodes exactly one message from all readable bytes of `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` for bytes that are not exactly one CBOR data item
    ///   within the limits:
    ///   `.tooLarge` (input longer than ``Configuration/maxInputLength``, or more values than
    ///   ``Configuration/maxElementCount``), `.truncated` (empty input, input that ends inside
    ///   an item, or a length or count larger than the bytes that remain), `.trailingBytes`,
    ///   `.nestingTooDeep`, `.malformed` (a reserved initial byte, a misplaced break code, a
    ///   wrong chunk in an indefinite-length string), `.invalidUTF8` (a text string that is
    ///   not UTF-8), `.nonStringKey` (a map key that is not a text string),
    ///   `.unsupportedType` (a tag, an unassigned simple value).
    ///   `WAMPProtocolError` for well-formed CBOR that is not a valid WAMP message. A
    ///   message type code this library does not know is not an error: it gives
    ///   `WAMPMessage.unknown`.
    public func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage {
        try WAMPMessage(value: deserializeValue(buffer))
    }

    /// Appends any value as CBOR to `buffer`, with the same rules as ``serialize(_:into:)``:
    /// useful for payloads of their own, such as a passthru payload with `enc_serializer`
    /// `cbor`.
    ///
    /// - Throws: `WAMPSerializationError`; on error `buffer` is left as it was.
    public func serializeValue(_ value: WAMPValue, into buffer: inout ByteBuffer) throws {
        try write(into: &buffer) { writer, buffer throws(WAMPSerializationError) in
            try writer.write(value, depth: 0, into: &buffer)
        }
    }

    /// Decodes one CBOR data item (not necessarily a message) from all readable bytes of
    /// `buffer`, with the same rules and limits as ``deserialize(_:)``.
    ///
    /// - Throws: `WAMPSerializationError`.
    public func deserializeValue(_ buffer: ByteBuffer) throws -> WAMPValue {
        let reader = CBORReader(
            maxNestingDepth: configuration.effectiveMaxNestingDepth,
            maxInputLength: configuration.maxInputLength,
            maxElementCount: configuration.maxElementCount)
        return try buffer.withUnsafeReadableBytes { bytes in try reader.read(bytes) }
    }

    /// Runs `body` with a writer for this configuration, restoring `buffer` if it throws.
    private func write(
        into buffer: inout ByteBuffer,
        _ body: (CBORWriter, inout ByteBuffer) throws(WAMPSerializationError) -> Void
    ) throws(WAMPSerializationError) {
        let start = buffer.writerIndex
        do {
            try body(CBORWriter(maxNestingDepth: configuration.effectiveMaxNestingDepth), &buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}
