public import NIOCore
public import Transport

/// The WAMP MessagePack serializer (`wamp.2.msgpack`, RawSocket serializer 2), built on
/// msgpack-c.
///
/// Both directions go through msgpack-c (the `CMsgPack` system library):
/// - serializing drives a `msgpack_packer` whose write callback copies each chunk straight
///   into the writable memory of the transport's `ByteBuffer`, with no intermediate buffer;
/// - deserializing runs `msgpack_unpack` on the buffer's readable bytes in place, into one
///   small memory zone per read, and converts the resulting `msgpack_object` tree to
///   `WAMPValue`. A cheap
///   structural pre-scan runs first, so that hostile headers (an `array32` claiming four
///   billion elements in ten bytes, nesting msgpack-c cannot handle) are refused before
///   msgpack-c allocates anything.
///
/// The MessagePack rules of WAMP apply both ways:
/// - the "new" specification with distinct `str` and `bin`: `WAMPValue.string(_:)`
///   is `str`, `WAMPValue.binary(_:)` is `bin`, and they never mix;
/// - integers of every width are read; positive values that do not fit `Int64` stay exact as
///   `WAMPValue.unsignedInteger(_:)`; integers are written in their smallest
///   encoding;
/// - `float32` and `float64` read as `WAMPValue.double(_:)`; doubles are written
///   as `float64`;
/// - booleans stay booleans: `true` never reads as `1`;
/// - map keys must be strings; extension types (including timestamps) are refused.
///
/// ```swift
/// let serializer = WAMPMsgPackSerializer()
/// let event = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments(["hello"], [:])))
/// let bytes: [UInt8] = try serializer.serialize(event)   // 95 24 01 02 80 91 a5 68 65 6c 6c 6f
/// let decoded = try serializer.deserialize(bytes)        // == event
/// ```
///
/// Errors: malformed bytes throw `WAMPSerializationError` with a specific code; well-formed
/// MessagePack that is not a valid WAMP message throws `WAMPProtocolError`. No input crashes
/// the serializer.
///
/// The serializer holds no mutable state and no C state between calls (each call has its own
/// packer and its own msgpack-c memory zone), so one value can be used from many threads at
/// once.
public struct WAMPMsgPackSerializer: WAMPSerializer {
    /// The limits this serializer enforces.
    public var configuration: Configuration {
        get { storage.configuration }
        set { storage = Storage(configuration: newValue) }
    }

    /// The configuration behind one reference: the serializer is then one word, and each
    /// `WAMPSerializedPayload` it makes holds it as `any WAMPSerializer` without allocating
    /// a box (a value of four words does not fit an existential's inline buffer).
    private var storage: Storage

    private final class Storage: Sendable {
        let configuration: Configuration

        init(configuration: Configuration) {
            self.configuration = configuration
        }
    }

    /// Creates a MessagePack serializer.
    ///
    /// - Parameter configuration: The limits to enforce; the defaults suit RawSocket.
    public init(configuration: Configuration = .init()) {
        storage = Storage(configuration: configuration)
    }

    /// `WAMPSerializerID.msgpack`: RawSocket serializer 2, subprotocol `wamp.2.msgpack`.
    public var id: WAMPSerializerID { .msgpack }

    /// `true`: MessagePack is binary (WebSocket binary frames).
    public var isBinary: Bool { true }

    /// Appends `message` (its list form, `message.elements`) as one MessagePack array to
    /// `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` with code `.nestingTooDeep` for a value nested
    ///   deeper than ``Configuration/maxNestingDepth`` (so this serializer never writes what
    ///   it would refuse to read), and `.tooLarge` for a string, binary, list or dict longer
    ///   than MessagePack's 2^32 - 1 limit. On error `buffer` is left as it was.
    ///
    /// A `WAMPSerializedPayload` written by a MessagePack serializer is copied as it is,
    /// without decoding it.
    public func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws {
        if case .serialized(let payload)? = message.payload, payload.serializer.id == id {
            // Room for the copy and a head of common size, so that the head is not packed
            // twice; no more: the transports' send buffers hold about 1 KiB, which a payload
            // of up to about 900 octets then fits without reallocating the buffer.
            buffer.reserveCapacity(minimumWritableBytes: payload.bytes.readableBytes + MsgPackWriter.headRoom)
            try write(into: &buffer) { writer, packer throws(WAMPSerializationError) in
                try writer.writeMessage(message, appending: payload, packer: packer)
            }
            return
        }
        try write(into: &buffer) { writer, packer throws(WAMPSerializationError) in
            try writer.writeMessage(message, packer: packer)
        }
    }

    /// Decodes exactly one message from all readable bytes of `buffer`.
    ///
    /// - Throws: `WAMPSerializationError` for bytes that are not exactly one MessagePack value
    ///   within the limits:
    ///   `.tooLarge` (input longer than ``Configuration/maxInputLength``, or more values than
    ///   ``Configuration/maxElementCount``), `.truncated` (empty input, input that ends inside
    ///   a value, or a length or count larger than the bytes that remain), `.trailingBytes`,
    ///   `.nestingTooDeep`, `.malformed` (the never-used byte `0xc1`), `.invalidUTF8` (a `str`
    ///   that is not UTF-8), `.nonStringKey`, `.unsupportedType` (an extension type).
    ///   `WAMPProtocolError` for well-formed MessagePack that is not a valid WAMP message. A
    ///   message type code this library does not know is not an error: it gives
    ///   `WAMPMessage.unknown`.
    ///
    /// The `Args` and `Kw` of a CALL, RESULT, INVOCATION, YIELD, PUBLISH, EVENT, ERROR or
    /// ABORT of at least ``Configuration/serializedPayloadThreshold`` bytes are validated but
    /// not decoded: the message's payload is a `WAMPPayload.serialized(_:)` slice of `buffer`,
    /// decoded when read.
    public func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage {
        let message = try buffer.withUnsafeReadableBytes { bytes throws(WAMPSerializationError) in
            try reader.readMessage(bytes)
        }
        switch message {
        case .decoded(let value):
            return try WAMPMessage(value: value)
        case .head(let head, let argumentsOffset, let hasKeywords):
            // Within the readable bytes: the reader found `Args` there.
            let arguments = buffer.getSlice(
                at: buffer.readerIndex + argumentsOffset, length: buffer.readableBytes - argumentsOffset)!
            return try WAMPMessage(
                head: head,
                payload: .serialized(WAMPSerializedPayload(
                    bytes: arguments, hasKeywords: hasKeywords, serializer: self,
                    keepingSlice: configuration.keepsPayloadSlices)))
        }
    }

    /// Decodes `count` MessagePack values that follow one another in all readable bytes of
    /// `buffer`, with the same rules and limits as ``deserialize(_:)``: the decoding of a
    /// `WAMPSerializedPayload`.
    ///
    /// - Throws: `WAMPSerializationError`.
    public func deserializeValues(_ buffer: ByteBuffer, count: Int) throws -> [WAMPValue] {
        try buffer.withUnsafeReadableBytes { bytes throws(WAMPSerializationError) in try reader.readValues(bytes, count: count) }
    }

    /// Appends any value as MessagePack to `buffer`, with the same rules as
    /// ``serialize(_:into:)``: useful for payloads of their own, such as a passthru payload
    /// with `enc_serializer` `msgpack`.
    ///
    /// - Throws: `WAMPSerializationError`; on error `buffer` is left as it was.
    public func serializeValue(_ value: WAMPValue, into buffer: inout ByteBuffer) throws {
        try write(into: &buffer) { writer, packer throws(WAMPSerializationError) in
            try writer.write(value, depth: 0, packer: packer)
        }
    }

    /// Decodes one MessagePack value (not necessarily a message) from all readable bytes of
    /// `buffer`, with the same rules and limits as ``deserialize(_:)``.
    ///
    /// - Throws: `WAMPSerializationError`.
    public func deserializeValue(_ buffer: ByteBuffer) throws -> WAMPValue {
        try buffer.withUnsafeReadableBytes { bytes in try reader.read(bytes) }
    }

    /// A reader for this configuration.
    private var reader: MsgPackReader {
        MsgPackReader(
            maxNestingDepth: configuration.effectiveMaxNestingDepth,
            maxInputLength: configuration.maxInputLength,
            maxElementCount: configuration.maxElementCount,
            serializedPayloadThreshold: configuration.serializedPayloadThreshold)
    }

    /// Runs `body` with a writer for this configuration and a packer that appends to
    /// `buffer`, restoring `buffer` if it throws.
    private func write(
        into buffer: inout ByteBuffer,
        _ body: (MsgPackWriter, MsgPackWriter.Packer) throws(WAMPSerializationError) -> Void
    ) throws(WAMPSerializationError) {
        let start = buffer.writerIndex
        let writer = MsgPackWriter(maxNestingDepth: configuration.effectiveMaxNestingDepth)
        do {
            try writer.withPacker(appendingTo: &buffer) { packer throws(WAMPSerializationError) in
                try body(writer, packer)
            }
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}
