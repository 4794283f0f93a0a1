import NIOCore
import Transport

/// A channel upgraded to WebSocket with the WAMP handler installed, before it is wrapped
/// as a ``WebSocketConnection``.
package struct OpenedWebSocket: Sendable {
    let asyncChannel: NIOAsyncChannel<ByteBuffer, WebSocketOutbound>
    let serializer: any WAMPSerializer
    let configuration: WebSocketConfiguration

    /// Wraps the channel as a connection.
    package func connection() async throws -> WebSocketConnection {
        try await WebSocketConnection.open(asyncChannel: asyncChannel, serializer: serializer, configuration: configuration)
    }

    /// Closes a channel that will not become a connection. `executeThenClose` finishes the
    /// outbound writer first: NIO traps when that writer is deinitialized unfinished.
    package func discard() async {
        try? await asyncChannel.executeThenClose { _, _ in }
    }
}
