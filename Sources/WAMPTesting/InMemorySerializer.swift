public import NIOCore
public import Transport

/// The serializer an ``InMemoryTransport`` reports when it was given none: messages cross
/// the in-memory connection as `WAMPMessage` values and are never turned into bytes.
///
/// Its ``serialize(_:into:)`` and ``deserialize(_:)`` throw: to exercise a real format, give the
/// transport one in ``InMemoryTransport/Configuration/serializer``.
public struct InMemorySerializer: WAMPSerializer {
    /// `in-memory` (RawSocket value 15, a value no registered serializer uses).
    public var id: WAMPSerializerID { WAMPSerializerID(rawSocketValue: 15, name: "in-memory") }
    /// `false`.
    public var isBinary: Bool { false }

    /// Creates the serializer.
    public init() {}

    /// Throws `WAMPSerializationError` with code `unsupportedType`: nothing is serialized.
    public func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws {
        throw WAMPSerializationError(
            .unsupportedType, serializer: id.name, "the in-memory transport passes \(message.type) as a value, not as bytes")
    }

    /// Throws `WAMPSerializationError` with code `unsupportedType`: nothing is deserialized.
    public func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage {
        throw WAMPSerializationError(
            .unsupportedType, serializer: id.name,
            "the in-memory transport passes messages as values, not \(buffer.readableBytes) bytes")
    }
}
