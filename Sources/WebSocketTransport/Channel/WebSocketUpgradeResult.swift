/// The outcome of a WebSocket opening handshake.
package enum WebSocketUpgradeResult: Sendable {
    /// The connection is a WAMP WebSocket now.
    case upgraded(OpenedWebSocket)
    /// The handshake was refused, for this reason (a server has answered the request with an
    /// HTTP error and closes the connection).
    case refused(WebSocketError)
}
