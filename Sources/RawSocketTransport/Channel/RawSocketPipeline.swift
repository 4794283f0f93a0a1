import Logging
import NIOCore
import NIOSSL
import Transport

/// A channel with the RawSocket handlers installed, before its handshake completed.
package struct OpenedChannel: Sendable {
    let bridge: ChannelBridge
    let handshake: EventLoopFuture<RawSocketStateMachine.Negotiation>
    let closeTimeout: TimeAmount

    /// Waits for the handshake and wraps the channel as a connection using the serializer
    /// the handshake chose.
    package func connection(serializers: [any WAMPSerializer]) async throws -> RawSocketConnection {
        let negotiation: RawSocketStateMachine.Negotiation
        do {
            negotiation = try await handshake.get()
        } catch {
            await discard()
            throw error
        }
        guard let serializer = serializers.first(where: { $0.id.rawSocketValue == negotiation.serializer }) else {
            await discard()
            throw RawSocketError(.serializerUnsupported, "no serializer plugin for serializer \(negotiation.serializer)")
        }
        return RawSocketConnection(
            bridge: bridge, serializer: serializer, negotiation: negotiation, closeTimeout: closeTimeout)
    }

    /// The channel.
    package var channel: any Channel { bridge.channel }

    /// Closes a channel that will not become a connection.
    func discard() async {
        try? await bridge.channel.close()
    }
}

/// Installs the RawSocket handlers on a channel.
package enum RawSocketPipeline {
    /// Installs the server side of RawSocket on an accepted channel (after TLS, if any):
    /// the entry point for servers that share a port with other protocols and hand a
    /// channel over once its first octet (0x7F) showed a RawSocket handshake. The
    /// connection is then obtained with ``OpenedChannel/connection(serializers:)``.
    package static func installServer(
        on channel: any Channel, serializers: [any WAMPSerializer], configuration: RawSocketConfiguration,
        logger: Logger
    ) throws -> OpenedChannel {
        try configuration.validate()
        return try install(
            on: channel, role: .server(acceptedSerializers: serializers.map(\.id.rawSocketValue), refusal: nil),
            configuration: configuration, logger: logger, sslHandler: nil)
    }

    static func install(
        on channel: any Channel, role: RawSocketStateMachine.Role, configuration: RawSocketConfiguration,
        logger: Logger, sslHandler: (any ChannelHandler)?
    ) throws -> OpenedChannel {
        let promise = channel.eventLoop.makePromise(of: RawSocketStateMachine.Negotiation.self)
        let handler = RawSocketChannelHandler(
            role: role, configuration: configuration, logger: logger, handshakePromise: promise)
        let sync = channel.pipeline.syncOperations
        if let sslHandler { try sync.addHandler(sslHandler) }
        try sync.addHandler(handler)
        let bridge = try ChannelBridge(
            installingOn: channel, maxBufferedMessages: configuration.maxBufferedMessages,
            maxUnwrittenBytes: configuration.maxUnwrittenSendBytes,
            closedError: RawSocketError(.connectionClosed, "the connection is closed"))
        return OpenedChannel(
            bridge: bridge, handshake: promise.futureResult, closeTimeout: configuration.closeTimeout)
    }
}
