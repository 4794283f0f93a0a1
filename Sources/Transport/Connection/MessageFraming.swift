package import NIOCore

/// What a transport's connection adds around each serialized message, and the transport's own
/// errors for the failures that ``ConnectionCore`` detects.
///
/// A connection writes the frame header and the payload in one buffer: ``headerSize`` octets
/// are reserved before the serializer writes, and ``writeHeader(_:at:payloadLength:)`` fills them
/// in once the length is known.
package protocol MessageFraming: Sendable {
    /// Octets reserved before each payload (RawSocket: 4, WebSocket: 0, its frame header is
    /// written by NIO's frame encoder).
    static var headerSize: Int { get }

    /// Writes the frame header for a payload of `payloadLength` octets into the ``headerSize``
    /// octets of `buffer` from `index` on (reserved before the payload).
    static func writeHeader(_ buffer: inout ByteBuffer, at index: Int, payloadLength: Int)

    /// The error for a message or payload over the send limit (nothing was sent).
    static func messageTooLarge(_ description: String, length: Int, limit: Int) -> any Error

    /// The error for a received payload that does not deserialize; `cause` is the
    /// serializer's error.
    static func invalidMessage(serializer: WAMPSerializerID, cause: any Error) -> any Error

    /// The error sends throw once the connection is closed, with the failure that closed it.
    static func connectionClosed(cause: (any Error)?) -> any Error
}

extension MessageFraming {
    /// Appends the frame of `message` to `buffer`: the header, then `message` serialized with
    /// `serializer`; returns the length of the payload. On error `buffer` is left as it was.
    ///
    /// - Throws: the serializer's error; ``messageTooLarge(_:length:limit:)`` for a payload over
    ///   `limit` octets.
    static func appendFrame(
        _ message: WAMPMessage, serializer: any WAMPSerializer, limit: Int, to buffer: inout ByteBuffer
    ) throws -> Int {
        try appendFrame(limit: limit, to: &buffer, describing: "\(message.type)") { try serializer.serialize(message, into: &$0) }
    }

    /// Appends a frame to `buffer`: the header, then the payload that `writePayload` appends;
    /// returns the length of the payload. On error `buffer` is left as it was.
    ///
    /// - Throws: what `writePayload` throws; ``messageTooLarge(_:length:limit:)`` for a payload
    ///   over `limit` octets, named `what`.
    static func appendFrame(
        limit: Int, to buffer: inout ByteBuffer, describing what: @autoclosure () -> String,
        _ writePayload: (inout ByteBuffer) throws -> Void
    ) throws -> Int {
        let start = buffer.writerIndex
        buffer.reserveCapacity(minimumWritableBytes: headerSize)
        buffer.moveWriterIndex(forwardBy: headerSize)  // filled in once the length is known
        do {
            try writePayload(&buffer)
            let length = buffer.writerIndex - start - headerSize
            guard length <= limit else {
                throw messageTooLarge("\(what()) of \(length) octets", length: length, limit: limit)
            }
            writeHeader(&buffer, at: start, payloadLength: length)
            return length
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}
