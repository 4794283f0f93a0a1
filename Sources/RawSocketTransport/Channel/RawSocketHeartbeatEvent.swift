/// The outbound user event that sends a PING now (`checkHeartbeat()`).
struct RawSocketHeartbeatEvent: Sendable {}
