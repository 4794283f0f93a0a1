public import Logging
public import NIOCore
import NIOPosix
public import Transport

/// Opens WAMP-over-WebSocket connections to a WAMP router or any WAMP WebSocket server.
///
/// ```swift
/// try await WebSocketClient.withConnection(to: try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws"),
///                                          serializers: [WAMPJSONSerializer()]) { connection in
///     try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
/// }
/// ```
public enum WebSocketClient {
    /// Connects, performs the opening handshake offering the subprotocols of `serializers`
    /// (in order of preference), and returns the open connection using the serializer the
    /// server chose. Close it with ``WebSocketConnection/close()``;
    /// ``withConnection(to:serializers:configuration:eventLoopGroup:logger:_:)`` does that for you.
    ///
    /// Cancelling the task ends the connect and the handshake at once (`CancellationError`).
    ///
    /// - Parameters:
    ///   - endpoint: host, port and path; TLS when ``WebSocketEndpoint/usesTLS`` or the
    ///     configuration's `tls` is set.
    ///   - serializers: the serializers to offer, most preferred first.
    ///   - configuration: limits, keepalive, timeouts, TLS and the server name.
    ///   - eventLoopGroup: where the connection runs.
    ///   - logger: the handshake at debug level, messages and pings at trace level.
    /// - Throws: ``WebSocketError`` (invalid configuration, connection failed, upgrade refused,
    ///   no common subprotocol, handshake timeout).
    public static func connect(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.client")
    ) async throws -> WebSocketConnection {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a client needs at least one serializer to offer")
        }
        let tlsHandler = try ClientConnector.tlsHandlerFactory(
            tls: configuration.tls, endpointUsesTLS: endpoint.usesTLS, host: endpoint.host,
            serverHostname: configuration.serverHostname)
        let timeout = configuration.handshakeTimeout
        let metrics = TransportMetrics(
            transport: "websocket", role: .client, extraDimensions: configuration.metricsDimensions)
        let channel: any Channel
        let upgrade: EventLoopFuture<WebSocketUpgradeResult>
        do {
            (channel, upgrade) = try await ClientConnector.connect(
                .tcp(host: endpoint.host, port: endpoint.port), group: eventLoopGroup,
                connectTimeout: TimeAmount(timeout)
            ) { channel in
                if let tlsHandler { try channel.pipeline.syncOperations.addHandler(try tlsHandler()) }
                let upgrade = try WebSocketPipeline.configureClient(
                    on: channel, endpoint: endpoint, serializers: serializers, configuration: configuration,
                    metrics: metrics, logger: logger)
                // The handshake's time limit fails the outcome before it closes the channel, so
                // that it is reported as a timeout, not as the closed connection it leads to.
                let outcome = channel.eventLoop.makePromise(of: WebSocketUpgradeResult.self)
                upgrade.cascade(to: outcome)
                let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                    outcome.fail(WebSocketError(.handshakeTimeout, "the opening handshake with \(endpoint) did not complete within \(timeout)"))
                    channel.close(promise: nil)
                }
                outcome.futureResult.whenComplete { _ in timer.cancel() }
                return (channel, outcome.futureResult)
            }
        } catch let error as CancellationError {
            throw error
        } catch where SocketErrorText.isConnectTimeout(error) {
            throw WebSocketError(
                .handshakeTimeout, "cannot connect to \(endpoint): no answer within \(timeout)", cause: error)
        } catch {
            throw WebSocketError(
                .connectionFailed, "cannot connect to \(endpoint): \(SocketErrorText.describe(error))", cause: error)
        }
        let outcome: WebSocketUpgradeResult
        do {
            outcome = try await ClientConnector.handshake(upgrade, on: channel)
        } catch let error as WebSocketError {
            metrics.handshakeFailed(code: error.code.description)
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw WebSocketError(
                .connectionFailed, "the connection to \(endpoint) failed during the opening handshake: \(error)", cause: error)
        }
        switch outcome {
        case .upgraded(let opened):
            logger.debug("WebSocket connected", metadata: ["endpoint": "\(endpoint)", "subprotocol": "\(opened.serializer.id.webSocketSubprotocol)"])
            return opened.connection()
        case .refused(let error):
            metrics.handshakeFailed(code: error.code.description)
            throw error
        }
    }

    /// Connects, runs `body` with the open connection, and closes the connection when `body`
    /// returns or throws.
    ///
    /// `body` runs on the connection's event loop (see
    /// `WAMPConnectionSettings.runsHandlersOnEventLoop`): it must not block.
    public static func withConnection<Result: Sendable>(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.client"),
        _ body: (WebSocketConnection) async throws -> Result
    ) async throws -> Result {
        try await ClientConnector.withConnection(
            runsOnEventLoop: configuration.runsHandlersOnEventLoop,
            connect: {
                try await connect(
                    to: endpoint, serializers: serializers, configuration: configuration, eventLoopGroup: eventLoopGroup,
                    logger: logger)
            }, body)
    }
}
