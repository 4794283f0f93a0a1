import Logging
import NIOCore
import Transport

/// A channel with the RawSocket handlers installed, before its handshake completed.
package struct OpenedChannel: Sendable {
    let bridge: ChannelBridge
    let handshake: EventLoopFuture<RawSocketStateMachine.Negotiation>
    let closeTimeout: TimeAmount
    let metrics: TransportMetrics

    /// Waits for the handshake and wraps the channel as a connection using the serializer
    /// the handshake chose. Cancelling the task closes the channel.
    package func connection(serializers: [any WAMPSerializer]) async throws -> RawSocketConnection {
        let negotiation: RawSocketStateMachine.Negotiation
        do {
            negotiation = try await ClientConnector.handshake(handshake, on: channel)
        } catch {
            await discard()
            throw error
        }
        guard let serializer = serializers.first(where: { $0.id.rawSocketValue == negotiation.serializer }) else {
            await discard()
            throw RawSocketError(.serializerUnsupported, "no serializer plugin for serializer \(negotiation.serializer)")
        }
        return RawSocketConnection(core: ConnectionCore(
            bridge: bridge, serializer: serializer, maxSendLength: negotiation.maxSendLength,
            maxReceiveLength: negotiation.maxReceiveLength, closeTimeout: closeTimeout, metrics: metrics))
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
    /// Installs the server side of RawSocket on an accepted channel (after TLS, if any). The
    /// connection is then obtained with ``OpenedChannel/connection(serializers:)``. A refusal
    /// (the server is at its connection limit) answers the handshake with that error code and
    /// closes.
    package static func installServer(
        on channel: any Channel, serializers: [any WAMPSerializer], configuration: RawSocketConfiguration,
        refusal: RawSocketHandshakeErrorCode? = nil, metrics: TransportMetrics, logger: Logger
    ) throws -> OpenedChannel {
        try install(
            on: channel, role: .server(acceptedSerializers: serializers.map(\.id.rawSocketValue), refusal: refusal),
            configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Installs the client side, asking for `serializer`.
    static func installClient(
        on channel: any Channel, serializer: any WAMPSerializer, configuration: RawSocketConfiguration,
        metrics: TransportMetrics, logger: Logger
    ) throws -> OpenedChannel {
        try install(
            on: channel, role: .client(serializer: serializer.id.rawSocketValue), configuration: configuration,
            metrics: metrics, logger: logger)
    }

    private static func install(
        on channel: any Channel, role: RawSocketStateMachine.Role, configuration: RawSocketConfiguration,
        metrics: TransportMetrics, logger: Logger
    ) throws -> OpenedChannel {
        let promise = channel.eventLoop.makePromise(of: RawSocketStateMachine.Negotiation.self)
        let handler = RawSocketChannelHandler(
            role: role, configuration: configuration, metrics: metrics, logger: logger, handshakePromise: promise)
        try channel.pipeline.syncOperations.addHandler(handler)
        let bridge = try ChannelBridge(
            installingOn: channel, maxBufferedMessages: configuration.maxBufferedMessages,
            maxUnwrittenBytes: configuration.maxUnwrittenSendBytes, gatherer: handler,
            closedError: RawSocketFraming.connectionClosed)
        return OpenedChannel(
            bridge: bridge, handshake: promise.futureResult, closeTimeout: TimeAmount(configuration.closeTimeout),
            metrics: metrics)
    }
}
