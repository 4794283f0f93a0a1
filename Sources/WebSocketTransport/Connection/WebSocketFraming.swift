import NIOCore
import Transport

/// WebSocket's framing for ``ConnectionCore``: no header of ours (NIO's frame encoder writes
/// the WebSocket frame header), and WebSocket's errors.
enum WebSocketFraming: MessageFraming {
    static var headerSize: Int { 0 }

    static func writeHeader(_ buffer: inout ByteBuffer, at index: Int, payloadLength: Int) {}

    static func messageTooLarge(_ description: String, length: Int, limit: Int) -> any Error {
        WebSocketError(.messageTooLarge, "\(description) exceeds the send limit of \(limit) octets")
    }

    static func invalidMessage(serializer: WAMPSerializerID, cause: any Error) -> any Error {
        WebSocketError(
            .invalidMessage, "a received \(serializer.name) message is invalid: \(cause)",
            closeCode: WebSocketCloseCode.protocolError, cause: cause)
    }

    static func connectionClosed(cause: (any Error)?) -> any Error {
        WebSocketError(
            .connectionClosed, cause.map { "the connection is closed: a write failed: \($0)" } ?? "the connection is closed",
            cause: cause)
    }
}
