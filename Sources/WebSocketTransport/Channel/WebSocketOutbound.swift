import NIOCore

/// What a ``WebSocketConnection`` hands to ``WebSocketChannelHandler`` to write.
enum WebSocketOutbound: Sendable {
    /// One serialized WAMP message, sent as one text or binary frame.
    case message(ByteBuffer)
    /// Starts the closing handshake with this code (once); the write completes when the
    /// close frame and everything before it are written.
    case close(code: UInt16)
}
