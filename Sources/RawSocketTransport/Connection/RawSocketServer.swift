public import Logging
public import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
public import NIOSSL
public import Transport

/// Accepts RawSocket connections on a TCP port or a Unix socket, negotiating one of the
/// accepted serializers with each client.
///
/// ```swift
/// let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 8080),
///                                             serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
/// try await server.run { connection in
///     for try await message in connection.inbound { try await connection.send(message) }
/// }
/// ```
///
/// Each connection's handshake is performed before it is handed out; a client asking for a
/// serializer not in the list gets error reply 1, one over ``maxConnections`` error reply 4,
/// one that does not complete the handshake in time is closed.
public final class RawSocketServer: Sendable {
    /// The address the server listens on (with the port the system chose for port 0).
    public let localAddress: SocketAddress?
    /// The endpoint the server was bound to.
    public let endpoint: RawSocketEndpoint
    /// The serializers accepted, in order of preference.
    public let serializers: [any WAMPSerializer]
    /// The most connections open at once; more are refused with handshake error 4.
    public let maxConnections: Int?
    /// The number of connections open now.
    public var connectionCount: Int { state.withLockedValue { $0.count } }

    private let serverChannel: NIOAsyncChannel<OpenedChannel, Never>
    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let closeTimeout: TimeAmount
    private let runsHandlersOnEventLoop: Bool

    private struct State {
        var count = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private init(
        serverChannel: NIOAsyncChannel<OpenedChannel, Never>, endpoint: RawSocketEndpoint,
        serializers: [any WAMPSerializer], maxConnections: Int?, state: NIOLockedValueBox<State>, logger: Logger,
        closeTimeout: TimeAmount, runsHandlersOnEventLoop: Bool
    ) {
        self.closeTimeout = closeTimeout
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.serverChannel = serverChannel
        self.localAddress = serverChannel.channel.localAddress
        self.endpoint = endpoint
        self.serializers = serializers
        self.maxConnections = maxConnections
        self.state = state
        self.logger = logger
    }

    /// The TCP port the server listens on, when it listens on TCP.
    public var port: Int? { localAddress?.port }

    /// Binds a server.
    ///
    /// - Parameters:
    ///   - endpoint: TCP host and port (port 0 picks a free one), or a Unix socket path (an
    ///     existing socket file is replaced).
    ///   - serializers: the serializers accepted; the client's choice selects one.
    ///   - configuration: limits, keepalive and the handshake timeout.
    ///   - maxConnections: the most connections at once; `nil` for no limit.
    ///   - tlsConfiguration: TLS settings (certificate chain and key); required when the
    ///     endpoint uses TLS.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level, frames and pings at trace level.
    public static func bind(
        to endpoint: RawSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: RawSocketConfiguration = .init(),
        maxConnections: Int? = nil,
        tlsConfiguration: TLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.server", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> RawSocketServer {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw RawSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        if let maxConnections, maxConnections < 1 {
            throw RawSocketError(.invalidConfiguration, "maxConnections \(maxConnections) must be at least 1")
        }
        if endpoint.usesTLS && tlsConfiguration == nil {
            throw RawSocketError(.invalidConfiguration, "a TLS endpoint needs a tlsConfiguration with a certificate and key")
        }
        let sslContext = try tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
        let accepted = serializers.map(\.id.rawSocketValue)
        let state = NIOLockedValueBox(State())
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
        let tcp: Bool
        if case .tcp = endpoint.address { tcp = true } else { tcp = false }
        let initializer: @Sendable (any Channel) -> EventLoopFuture<OpenedChannel> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let id = ObjectIdentifier(channel)
                let refusal: RawSocketHandshakeErrorCode? = state.withLockedValue { s in
                    if let maxConnections, s.count >= maxConnections { return .maxConnectionCountReached }
                    s.count += 1
                    s.channels[id] = channel
                    return nil
                }
                if refusal == nil {
                    channel.closeFuture.whenComplete { _ in
                        state.withLockedValue { s in
                            s.count -= 1
                            s.channels[id] = nil
                            // A dictionary keeps its capacity when emptied one key at a time
                            // (49 KiB after 1,000 connections, measured with heaptrack): let it go
                            // once the server is idle.
                            if s.channels.isEmpty { s.channels = [:] }
                        }
                    }
                }
                if tcp { try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1) }
                return try RawSocketPipeline.install(
                    on: channel, role: .server(acceptedSerializers: accepted, refusal: refusal),
                    configuration: configuration, logger: logger,
                    sslHandler: sslContext.map { NIOSSLServerHandler(context: $0) })
            }
        }
        let serverChannel: NIOAsyncChannel<OpenedChannel, Never>
        switch endpoint.address {
        case .tcp(let host, let port):
            serverChannel = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path):
            serverChannel = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
        }
        logger.debug("RawSocket server listening", metadata: ["endpoint": "\(endpoint)"])
        return RawSocketServer(
            serverChannel: serverChannel, endpoint: endpoint, serializers: serializers, maxConnections: maxConnections,
            state: state, logger: logger, closeTimeout: configuration.closeTimeout,
            runsHandlersOnEventLoop: configuration.runsHandlersOnEventLoop)
    }

    /// Accepts connections until ``shutdown()``, running `handler` for each one in its own
    /// task; a connection is closed when its handler returns or throws. One failing
    /// connection (bad handshake, protocol error, handler error) never stops the server.
    ///
    /// Each handler runs on its connection's event loop (see
    /// ``RawSocketConfiguration/runsHandlersOnEventLoop``): it must not block.
    public func run(_ handler: @escaping @Sendable (RawSocketConnection) async throws -> Void) async throws {
        let serializers = self.serializers
        let logger = self.logger
        let runsOnEventLoop = self.runsHandlersOnEventLoop
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await opened in inbound {
                    let executor = runsOnEventLoop ? EventLoopTaskExecutor(opened.channel.eventLoop) : nil
                    group.addTask(executorPreference: executor) {
                        do {
                            let connection = try await opened.connection(serializers: serializers)
                            do {
                                try await handler(connection)
                            } catch {
                                try? await connection.close()
                                throw error
                            }
                            try await connection.close()
                        } catch {
                            logger.debug("RawSocket connection ended with an error", metadata: ["error": "\(error)"])
                            opened.channel.close(promise: nil)
                        }
                    }
                }
            }
        }
    }

    /// The accepted connections, each after a successful handshake, as an async sequence.
    /// Connections whose handshake fails are closed and skipped. Ends at ``shutdown()``;
    /// dropping the sequence (or cancelling the task that iterates it) shuts the server down.
    ///
    /// Close each connection when done with it.
    public func connections() -> AsyncThrowingStream<RawSocketConnection, any Error> {
        let (stream, continuation) = AsyncThrowingStream<RawSocketConnection, any Error>.makeStream()
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
        // Shutting down (rather than cancelling the accept loop) lets connections still queued
        // in NIO be closed properly.
        continuation.onTermination = { _ in Task { await self.shutdown() } }
        return stream
    }

    /// Stops accepting, closes every open connection cleanly (what was sent is flushed first,
    /// for at most the configuration's `closeTimeout`) and closes the listening socket.
    public func shutdown() async {
        try? await serverChannel.channel.close()
        let channels = state.withLockedValue { Array($0.channels.values) }
        let closeTimeout = self.closeTimeout
        await withTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask {
                    let deadline = channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
                    try? await channel.writeAndFlush(ByteBuffer()).get()
                    deadline.cancel()
                    try? await channel.close()
                }
            }
        }
    }
}
