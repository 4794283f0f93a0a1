package import NIOCore

/// What a transport's connection adds around each serialized message, and the transport's own
/// errors for the failures that ``ConnectionCore`` detects.
///
/// A connection writes the frame header and the payload in one buffer: ``headerSize`` octets
/// are reserved before the serializer writes, and ``writeHeader(_:payloadLength:)`` fills them
/// in once the length is known.
package protocol MessageFraming: Sendable {
    /// Octets reserved before each payload (RawSocket: 4, WebSocket: 0, its frame header is
    /// written by NIO's frame encoder).
    static var headerSize: Int { get }

    /// Writes the frame header for a payload of `payloadLength` octets into the first
    /// ``headerSize`` readable octets of `buffer`.
    static func writeHeader(_ buffer: inout ByteBuffer, payloadLength: Int)

    /// The error for a message or payload over the send limit (nothing was sent).
    static func messageTooLarge(_ description: String, length: Int, limit: Int) -> any Error

    /// The error for a received payload that does not deserialize; `cause` is the
    /// serializer's error.
    static func invalidMessage(serializer: WAMPSerializerID, cause: any Error) -> any Error

    /// The error sends throw once the connection is closed, with the failure that closed it.
    static func connectionClosed(cause: (any Error)?) -> any Error
}
