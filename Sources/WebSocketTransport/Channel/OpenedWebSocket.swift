import NIOCore
import Transport

/// A channel upgraded to WebSocket with the WAMP handler installed, before it is wrapped
/// as a ``WebSocketConnection``.
package struct OpenedWebSocket: Sendable {
    let bridge: ChannelBridge
    let serializer: any WAMPSerializer
    let configuration: WebSocketConfiguration

    /// Wraps the channel as a connection.
    package func connection() -> WebSocketConnection {
        WebSocketConnection(bridge: bridge, serializer: serializer, configuration: configuration)
    }

    /// The channel.
    package var channel: any Channel { bridge.channel }

    /// Closes a channel that will not become a connection.
    package func discard() async {
        try? await bridge.channel.close()
    }
}
