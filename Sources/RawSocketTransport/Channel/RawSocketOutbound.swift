import NIOCore

/// What the connection hands to ``RawSocketChannelHandler`` to write.
enum RawSocketOutbound: Sendable {
    /// A complete regular-message frame: the 4-octet header then the payload, in one buffer.
    case frame(ByteBuffer)
    /// A payload to frame as a regular message.
    case payload(ByteBuffer)
    /// Flush and report when everything before it is written.
    case flushMarker
}

/// The outbound user event that sends a PING now (`checkHeartbeat()`).
struct RawSocketHeartbeatEvent: Sendable {}
