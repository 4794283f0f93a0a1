public import Logging
public import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
public import NIOSSL
public import RawSocketTransport
public import Transport
public import WebSocketTransport

/// Serves RawSocket and WebSocket clients on one TCP port (like Crossbar.io's "universal"
/// transport): the first octet a client sends tells them apart, 0x7F starting a RawSocket
/// handshake and anything else an HTTP request that is upgraded to a WebSocket.
///
/// ```swift
/// let server = try await WAMPUniversalServer.bind(host: "127.0.0.1", port: 8080, webSocketPath: "/ws",
///                                                 serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
/// try await server.run { connection in
///     try await echo(connection.transport)   // the same code for both transports
/// }
/// ```
public final class WAMPUniversalServer: Sendable {
    /// The address the server listens on (with the port the system chose for port 0).
    public let localAddress: SocketAddress?
    /// The serializers accepted by both transports.
    public let serializers: [any WAMPSerializer]
    /// The HTTP path WebSocket upgrades are accepted for.
    public let webSocketPath: String
    /// The number of connections open now.
    public var connectionCount: Int { state.withLockedValue { $0.channels.count } }

    private let serverChannel: NIOAsyncChannel<EventLoopFuture<Accepted>, Never>
    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let closeTimeout: TimeAmount
    private let runsHandlersOnEventLoop: Bool

    /// What the first octet chose, before that protocol's handshake completed.
    enum Accepted: Sendable {
        case rawSocket(OpenedChannel)
        case webSocket(EventLoopFuture<WebSocketUpgradeResult>)
    }

    private struct State {
        var channels: [ObjectIdentifier: (channel: any Channel, kind: Kind)] = [:]
    }

    private enum Kind { case undecided, rawSocket, webSocket, upgradedWebSocket }

    private init(
        serverChannel: NIOAsyncChannel<EventLoopFuture<Accepted>, Never>, serializers: [any WAMPSerializer],
        webSocketPath: String, state: NIOLockedValueBox<State>, logger: Logger, closeTimeout: TimeAmount,
        runsHandlersOnEventLoop: Bool
    ) {
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.serverChannel = serverChannel
        self.localAddress = serverChannel.channel.localAddress
        self.serializers = serializers
        self.webSocketPath = webSocketPath
        self.state = state
        self.logger = logger
        self.closeTimeout = closeTimeout
    }

    /// The TCP port the server listens on.
    public var port: Int? { localAddress?.port }

    /// Binds a server.
    ///
    /// - Parameters:
    ///   - host: the address to listen on.
    ///   - port: the TCP port; 0 picks a free one.
    ///   - webSocketPath: the HTTP path WebSocket upgrades are accepted for. Default: `/ws`.
    ///   - serializers: the serializers accepted, by both transports.
    ///   - rawSocketConfiguration: limits and timeouts of RawSocket connections.
    ///   - webSocketConfiguration: limits, keepalive and timeouts of WebSocket connections;
    ///     its `handshakeTimeout` also bounds the wait for a client's first octet.
    ///   - tlsConfiguration: TLS for both (`rss://` and `wss://` on the same port).
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level.
    public static func bind(
        host: String, port: Int, webSocketPath: String = "/ws",
        serializers: [any WAMPSerializer],
        rawSocketConfiguration: RawSocketConfiguration = .init(),
        webSocketConfiguration: WebSocketConfiguration = .init(),
        tlsConfiguration: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.universal.server", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> WAMPUniversalServer {
        try rawSocketConfiguration.validate()
        try webSocketConfiguration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        let path = webSocketPath.hasPrefix("/") ? webSocketPath : "/" + webSocketPath
        let sslContext = try tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
        let state = NIOLockedValueBox(State())
        let serverChannel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = ObjectIdentifier(channel)
                    state.withLockedValue { $0.channels[id] = (channel, .undecided) }
                    channel.closeFuture.whenComplete { _ in state.withLockedValue { _ = $0.channels.removeValue(forKey: id) } }
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    let promise = channel.eventLoop.makePromise(of: Accepted.self)
                    let timeout = webSocketConfiguration.handshakeTimeout
                    let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
                    promise.futureResult.whenComplete { _ in timer.cancel() }
                    try channel.pipeline.syncOperations.addHandler(
                        ProtocolSniffingHandler<Accepted>(promise: promise) { channel, isRawSocket in
                            if isRawSocket {
                                state.withLockedValue { $0.channels[id]?.kind = .rawSocket }
                                return .rawSocket(try RawSocketPipeline.installServer(
                                    on: channel, serializers: serializers, configuration: rawSocketConfiguration,
                                    logger: logger))
                            }
                            state.withLockedValue { $0.channels[id]?.kind = .webSocket }
                            let upgrade = try WebSocketPipeline.configureServer(
                                on: channel, path: path, serializers: serializers, configuration: webSocketConfiguration,
                                logger: logger)
                            upgrade.whenSuccess { outcome in
                                if case .upgraded = outcome {
                                    state.withLockedValue { $0.channels[id]?.kind = .upgradedWebSocket }
                                }
                            }
                            return .webSocket(upgrade)
                        })
                    return promise.futureResult
                }
            }
        logger.debug("universal server listening", metadata: ["host": "\(host)", "port": "\(serverChannel.channel.localAddress?.port ?? port)"])
        return WAMPUniversalServer(
            serverChannel: serverChannel, serializers: serializers, webSocketPath: path, state: state, logger: logger,
            closeTimeout: max(rawSocketConfiguration.closeTimeout, webSocketConfiguration.closeTimeout),
            runsHandlersOnEventLoop: rawSocketConfiguration.runsHandlersOnEventLoop && webSocketConfiguration.runsHandlersOnEventLoop)
    }

    /// Accepts connections until ``shutdown()``, running `handler` for each one in its own
    /// task; a connection is closed when its handler returns or throws. One failing
    /// connection never stops the server.
    public func run(_ handler: @escaping @Sendable (UniversalConnection) async throws -> Void) async throws {
        let serializers = self.serializers
        let logger = self.logger
        let runsOnEventLoop = self.runsHandlersOnEventLoop
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await accepted in inbound {
                    group.addTask {
                        let chosen: Accepted
                        do {
                            chosen = try await accepted.get()
                        } catch {
                            logger.debug("connection closed before its first octet", metadata: ["error": "\(error)"])
                            return
                        }
                        switch chosen {
                        case .rawSocket(let opened):
                            do {
                                let connection = try await opened.connection(serializers: serializers)
                                try await withTaskExecutorPreference(runsOnEventLoop ? connection.executor : nil) {
                                    do {
                                        try await handler(.rawSocket(connection))
                                    } catch {
                                        try? await connection.close()
                                        throw error
                                    }
                                    try await connection.close()
                                }
                            } catch {
                                // A failed handshake was discarded by connection(serializers:),
                                // a failed handler closed its connection above.
                                logger.debug("RawSocket connection ended with an error", metadata: ["error": "\(error)"])
                            }
                        case .webSocket(let upgrade):
                            await WebSocketServer.serve(upgrade, runsOnEventLoop: runsOnEventLoop, logger: logger) { connection in
                                try await handler(.webSocket(connection))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The accepted connections, each after its handshake, as an async sequence. Ends at
    /// ``shutdown()``; dropping the sequence shuts the server down. Close each connection when
    /// done with it.
    public func connections() -> AsyncThrowingStream<UniversalConnection, any Error> {
        let (stream, continuation) = AsyncThrowingStream<UniversalConnection, any Error>.makeStream()
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

    /// Stops accepting and closes every open connection: WebSocket ones with close code 1001,
    /// RawSocket ones after what was sent is written, within the configurations' close timeout.
    public func shutdown() async {
        try? await serverChannel.channel.close()
        let channels = state.withLockedValue { Array($0.channels.values) }
        let closeTimeout = self.closeTimeout
        await WebSocketServer.close(
            channels.filter { $0.kind != .rawSocket }.map { ($0.channel, $0.kind == .upgradedWebSocket) },
            closeTimeout: closeTimeout)
        await withTaskGroup(of: Void.self) { group in
            for entry in channels where entry.kind == .rawSocket {
                group.addTask {
                    let channel = entry.channel
                    let deadline = channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
                    try? await channel.close()
                    deadline.cancel()
                }
            }
        }
    }
}
