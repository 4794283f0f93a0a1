import NIOCore
import Transport

/// A channel upgraded to WebSocket with the WAMP handler installed, before it is wrapped
/// as a ``WebSocketConnection``.
package struct OpenedWebSocket: Sendable {
    let bridge: ChannelBridge
    let serializer: any WAMPSerializer
    let configuration: WebSocketConfiguration
    let metrics: TransportMetrics

    /// Wraps the channel as a connection.
    package func connection() -> WebSocketConnection {
        WebSocketConnection(core: ConnectionCore(
            bridge: bridge, serializer: serializer, maxSendLength: configuration.maxSendLength,
            maxReceiveLength: configuration.maxReceiveLength, closeTimeout: TimeAmount(configuration.closeTimeout),
            metrics: metrics))
    }

    /// The channel.
    package var channel: any Channel { bridge.channel }
}
