public import Logging
public import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
public import NIOSSL
public import Transport

/// Accepts WAMP-over-WebSocket connections on a TCP port, negotiating one of the accepted
/// serializers with each client through the `wamp.2.*` subprotocol.
///
/// ```swift
/// let server = try await WebSocketServer.bind(to: try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws"),
///                                             serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
/// try await server.run { connection in
///     for try await message in connection.inbound { try await connection.send(message) }
/// }
/// ```
///
/// Each connection's opening handshake is performed before it is handed out. A request for
/// another path gets HTTP 404, one offering no accepted subprotocol 400, a plain HTTP request
/// 426, one over ``maxConnections`` 503; a client that does not complete the handshake in
/// time is closed.
public final class WebSocketServer: Sendable {
    /// The address the server listens on (with the port the system chose for port 0).
    public let localAddress: SocketAddress?
    /// The endpoint the server was bound to.
    public let endpoint: WebSocketEndpoint
    /// The serializers accepted.
    public let serializers: [any WAMPSerializer]
    /// The most connections open at once (handshakes included); more get HTTP 503.
    public let maxConnections: Int?
    /// The number of connections open now (including those still in their handshake).
    public var connectionCount: Int { state.withLockedValue { $0.channels.count } }

    private let serverChannel: NIOAsyncChannel<EventLoopFuture<WebSocketUpgradeResult>, Never>
    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let closeTimeout: TimeAmount
    private let runsHandlersOnEventLoop: Bool

    private struct State {
        /// Every open channel, and whether it was upgraded (only those take close frames).
        var channels: [ObjectIdentifier: (channel: any Channel, upgraded: Bool)] = [:]
    }

    private init(
        serverChannel: NIOAsyncChannel<EventLoopFuture<WebSocketUpgradeResult>, Never>, endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer], maxConnections: Int?, state: NIOLockedValueBox<State>, logger: Logger,
        closeTimeout: TimeAmount, runsHandlersOnEventLoop: Bool
    ) {
        self.maxConnections = maxConnections
        self.serverChannel = serverChannel
        self.localAddress = serverChannel.channel.localAddress
        self.endpoint = endpoint
        self.serializers = serializers
        self.state = state
        self.logger = logger
        self.closeTimeout = closeTimeout
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
    }

    /// The TCP port the server listens on.
    public var port: Int? { localAddress?.port }

    /// Binds a server.
    ///
    /// - Parameters:
    ///   - endpoint: host, port (0 picks a free one) and the path upgrades are accepted for.
    ///   - serializers: the serializers accepted; the first subprotocol offered by a client
    ///     that one of them speaks selects it.
    ///   - configuration: limits, keepalive and timeouts.
    ///   - maxConnections: the most connections at once, handshakes included; more are
    ///     answered with HTTP 503 and closed. `nil` for no limit.
    ///   - tlsConfiguration: TLS settings (certificate chain and key); required when the
    ///     endpoint uses TLS.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level, messages and pings at trace level.
    public static func bind(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        maxConnections: Int? = nil,
        tlsConfiguration: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.server", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> WebSocketServer {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        if let maxConnections, maxConnections < 1 {
            throw WebSocketError(.invalidConfiguration, "maxConnections \(maxConnections) must be at least 1")
        }
        if endpoint.usesTLS && tlsConfiguration == nil {
            throw WebSocketError(.invalidConfiguration, "a wss:// endpoint needs a tlsConfiguration with a certificate and key")
        }
        let sslContext = try tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
        let state = NIOLockedValueBox(State())
        let serverChannel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let result = try configureChannel(
                        channel, path: endpoint.path, serializers: serializers, configuration: configuration,
                        maxConnections: maxConnections, sslContext: sslContext, state: state, logger: logger)
                    return result
                }
            }
        logger.debug("WebSocket server listening", metadata: ["endpoint": "\(endpoint)"])
        return WebSocketServer(
            serverChannel: serverChannel, endpoint: endpoint, serializers: serializers, maxConnections: maxConnections,
            state: state, logger: logger, closeTimeout: configuration.closeTimeout,
            runsHandlersOnEventLoop: configuration.runsHandlersOnEventLoop)
    }

    private static func configureChannel(
        _ channel: any Channel, path: String, serializers: [any WAMPSerializer], configuration: WebSocketConfiguration,
        maxConnections: Int?, sslContext: NIOSSLContext?, state: NIOLockedValueBox<State>, logger: Logger
    ) throws -> EventLoopFuture<WebSocketUpgradeResult> {
        let id = ObjectIdentifier(channel)
        let admitted = state.withLockedValue { s in
            if let maxConnections, s.channels.count >= maxConnections { return false }
            s.channels[id] = (channel, false)
            return true
        }
        if let sslContext {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
        }
        guard admitted else {
            logger.debug("WebSocket connection refused: at the connection limit", metadata: ["max": "\(maxConnections ?? 0)"])
            return try WebSocketPipeline.configureOverloaded(
                on: channel, path: path, serializers: serializers, configuration: configuration)
        }
        channel.closeFuture.whenComplete { _ in state.withLockedValue { _ = $0.channels.removeValue(forKey: id) } }
        let result = try WebSocketPipeline.configureServer(
            on: channel, path: path, serializers: serializers, configuration: configuration, logger: logger)
        result.whenSuccess { outcome in
            if case .upgraded = outcome, channel.isActive {
                state.withLockedValue { $0.channels[id]?.upgraded = true }
            }
        }
        return result
    }

    /// Accepts connections until ``shutdown()``, running `handler` for each one in its own
    /// task; a connection is closed when its handler returns or throws. One failing
    /// connection (refused upgrade, protocol error, handler error) never stops the server.
    public func run(_ handler: @escaping @Sendable (WebSocketConnection) async throws -> Void) async throws {
        let logger = self.logger
        let runsOnEventLoop = self.runsHandlersOnEventLoop
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await upgrade in inbound {
                    group.addTask {
                        await Self.serve(upgrade, runsOnEventLoop: runsOnEventLoop, logger: logger, handler)
                    }
                }
            }
        }
    }

    /// Waits for one channel's upgrade and runs `handler` on the connection, with the
    /// connection's event loop as task executor preference when `runsOnEventLoop`.
    ///
    /// The event loop is taken from the upgraded connection, once the upgrade future delivered
    /// it: reading it from the future as it came out of the accept stream made ThreadSanitizer
    /// report a race on the future's initialization, now and then.
    package static func serve(
        _ upgrade: EventLoopFuture<WebSocketUpgradeResult>, runsOnEventLoop: Bool, logger: Logger,
        _ handler: @Sendable (WebSocketConnection) async throws -> Void
    ) async {
        let opened: OpenedWebSocket
        do {
            switch try await upgrade.get() {
            case .upgraded(let value): opened = value
            case .refused(let error):
                logger.debug("WebSocket upgrade refused", metadata: ["error": "\(error)"])
                return
            }
        } catch {
            logger.debug("WebSocket handshake failed", metadata: ["error": "\(error)"])
            return
        }
        do {
            let connection = opened.connection()
            try await withTaskExecutorPreference(runsOnEventLoop ? connection.executor : nil) {
                do {
                    try await handler(connection)
                } catch {
                    try? await connection.close(code: WebSocketCloseCode.goingAway)
                    throw error
                }
                try await connection.close()
            }
        } catch {
            logger.debug("WebSocket connection ended with an error", metadata: ["error": "\(error)"])
            opened.channel.close(promise: nil)
        }
    }

    /// The accepted connections, each after a successful opening handshake, as an async
    /// sequence. Ends at ``shutdown()``; dropping the sequence (or cancelling the task that
    /// iterates it) shuts the server down.
    ///
    /// Close each connection when done with it.
    public func connections() -> AsyncThrowingStream<WebSocketConnection, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WebSocketConnection, any Error>.makeStream()
        Task {
            do {
                try await run { connection in
                    guard case .enqueued = continuation.yield(connection) else {
                        try await connection.close()
                        return
                    }
                    await connection.closed
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in Task { await self.shutdown() } }
        return stream
    }

    /// Stops accepting and closes every open connection: upgraded ones with close code 1001
    /// (going away) after what was sent is written, waiting for the peer's close frame at most
    /// the configuration's `closeTimeout`; the listening socket is closed.
    public func shutdown() async {
        try? await serverChannel.channel.close()
        let channels = state.withLockedValue { Array($0.channels.values) }
        await Self.close(channels, closeTimeout: closeTimeout)
    }

    /// Closes channels: upgraded ones with a close handshake (1001), others at once.
    package static func close(_ channels: [(channel: any Channel, upgraded: Bool)], closeTimeout: TimeAmount) async {
        await withTaskGroup(of: Void.self) { group in
            for (channel, upgraded) in channels {
                group.addTask {
                    guard upgraded else {
                        try? await channel.close()
                        return
                    }
                    let deadline = channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
                    try? await channel.triggerUserOutboundEvent(WebSocketCloseRequest(code: WebSocketCloseCode.goingAway)).get()
                    try? await channel.closeFuture.get()
                    deadline.cancel()
                }
            }
        }
    }
}
