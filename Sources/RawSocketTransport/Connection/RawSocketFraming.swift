import NIOCore
import Transport

/// RawSocket's framing for ``ConnectionCore``: a 4-octet header (type and 24-bit length)
/// before each payload, and RawSocket's errors.
enum RawSocketFraming: MessageFraming {
    static var headerSize: Int { RawSocketFrameHeader.size }

    static func writeHeader(_ buffer: inout ByteBuffer, at index: Int, payloadLength: Int) {
        buffer.setInteger(RawSocketFrameHeader(type: .message, length: payloadLength).encoded, at: index)
    }

    static func messageTooLarge(_ description: String, length: Int, limit: Int) -> any Error {
        RawSocketError(.messageTooLarge, "\(description) exceeds the peer's limit of \(limit) octets")
    }

    static func invalidMessage(serializer: WAMPSerializerID, cause: any Error) -> any Error {
        RawSocketError(.invalidMessage, "a received \(serializer.name) message is invalid: \(cause)", cause: cause)
    }

    static func connectionClosed(cause: (any Error)?) -> any Error {
        RawSocketError(
            .connectionClosed, cause.map { "the connection is closed: a write failed: \($0)" } ?? "the connection is closed",
            cause: cause)
    }
}
