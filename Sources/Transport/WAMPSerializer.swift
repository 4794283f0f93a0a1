public import NIOCore

/// Turns typed WAMP messages into bytes and back: the plugin that the transport's
/// negotiation selects (JSON, MessagePack, ...).
///
/// Serializers write straight into the `ByteBuffer` that the transport sends, and read from
/// the slice of the receive buffer that holds one message, so that no copy is made that the
/// format does not need.
///
/// Implementations must be safe to use from several tasks at once.
public protocol WAMPSerializer: Sendable {
    /// The identifier negotiated by the transport (RawSocket serializer id, WebSocket
    /// subprotocol name).
    var id: WAMPSerializerID { get }

    /// Whether the format is binary (WebSocket binary frames) or text (text frames).
    var isBinary: Bool { get }

    /// Appends the serialized message to `buffer`, after its writer index.
    ///
    /// - Throws: ``WAMPSerializationError`` when a value cannot be represented.
    func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws

    /// Decodes exactly one message from all readable bytes of `buffer`.
    ///
    /// - Throws: ``WAMPSerializationError`` for malformed bytes (invalid syntax, truncation,
    ///   trailing bytes, invalid UTF-8, limits exceeded) and ``WAMPProtocolError`` for
    ///   well-formed data that is not a valid WAMP message.
    func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage

    /// Decodes `count` values that follow one another in all readable bytes of `buffer` (not
    /// a message: the serialized `Args` and `Kw` of a ``WAMPSerializedPayload``).
    ///
    /// Serializers that never make a ``WAMPSerializedPayload`` need not implement it: the
    /// default throws.
    ///
    /// - Throws: ``WAMPSerializationError`` for malformed bytes or a different number of values.
    func deserializeValues(_ buffer: ByteBuffer, count: Int) throws -> [WAMPValue]
}

extension WAMPSerializer {
    /// Throws: this serializer makes no ``WAMPSerializedPayload``.
    public func deserializeValues(_ buffer: ByteBuffer, count: Int) throws -> [WAMPValue] {
        throw WAMPSerializationError(
            .unsupportedType, serializer: id.name,
            "this serializer does not decode serialized payloads (\(count) values in \(buffer.readableBytes) bytes)")
    }

    /// Serializes a message into a new buffer.
    public func serialize(_ message: WAMPMessage, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        try serialize(message, into: &buffer)
        return buffer
    }

    /// Serializes a message into a byte array.
    public func serialize(_ message: WAMPMessage) throws -> [UInt8] {
        var buffer = try serialize(message, allocator: ByteBufferAllocator())
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Decodes exactly one message from `bytes`.
    public func deserialize(_ bytes: some Sequence<UInt8>) throws -> WAMPMessage {
        try deserialize(ByteBuffer(bytes: bytes))
    }
}
