/// The outbound user event that starts the closing handshake with `code` (once): it completes
/// when the close frame and everything written before it are written.
struct WebSocketCloseRequest: Sendable {
    var code: UInt16
}
