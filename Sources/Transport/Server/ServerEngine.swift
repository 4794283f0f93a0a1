package import Logging
package import NIOCore
import NIOConcurrencyHelpers
internal import NIOPosix
package import NIOSSL
internal import ServiceLifecycle

/// The one server every transport's public server is a thin layer over: it listens, adds TLS,
/// tracks the open connections and enforces the connection limit, runs a handler per
/// connection in a structured task group, and shuts down the same way for every protocol
/// (stop accepting, close each connection gracefully within the close timeout).
///
/// The protocol itself (handshake, framing) plugs in as a ``ServedProtocol``.
///
/// ``run(_:)`` reacts to swift-service-lifecycle's graceful shutdown: inside a `ServiceGroup`,
/// a shutdown signal starts ``beginShutdown()`` and `run` returns once every connection ended.
package final class ServerEngine<Served: ServedProtocol>: Sendable {
    /// The address the server listens on (with the port the system chose for port 0).
    package let localAddress: SocketAddress?
    /// The most connections open at once, `nil` for no limit.
    package let maxConnections: Int?

    private let served: Served
    private let serverChannel: NIOAsyncChannel<Served.Accepted, Never>
    private let tracker: NIOLockedValueBox<Tracker>
    private let closeTimeout: TimeAmount
    private let runsHandlersOnEventLoop: Bool
    private let logger: Logger

    /// The open channels (handshakes included) and whether the server is shutting down.
    private struct Tracker {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    private init(
        served: Served, serverChannel: NIOAsyncChannel<Served.Accepted, Never>, tracker: NIOLockedValueBox<Tracker>,
        maxConnections: Int?, closeTimeout: TimeAmount, runsHandlersOnEventLoop: Bool, logger: Logger
    ) {
        self.served = served
        self.serverChannel = serverChannel
        self.localAddress = serverChannel.channel.localAddress
        self.tracker = tracker
        self.maxConnections = maxConnections
        self.closeTimeout = closeTimeout
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.logger = logger
    }

    /// Binds a listening socket.
    ///
    /// - Parameters:
    ///   - address: where to listen.
    ///   - served: the protocol.
    ///   - tls: when set, every accepted channel starts with a TLS server handler.
    ///   - maxConnections: the most connections at once (handshakes included); `nil` for no limit.
    ///   - closeTimeout: how long a graceful close may take at shutdown.
    ///   - runsHandlersOnEventLoop: whether handlers run with their connection's event loop as
    ///     task executor preference.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: the server's logger.
    package static func bind(
        _ address: ListenAddress, serving served: Served, tls: NIOSSLContext?, maxConnections: Int?,
        closeTimeout: TimeAmount, runsHandlersOnEventLoop: Bool, eventLoopGroup: any EventLoopGroup, logger: Logger
    ) async throws -> ServerEngine {
        let tracker = NIOLockedValueBox(Tracker())
        let isTCP: Bool
        if case .tcp = address { isTCP = true } else { isTCP = false }
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
        let metrics = served.metrics
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Served.Accepted> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let refusal = Self.admit(channel, tracker: tracker, maxConnections: maxConnections)
                let admitted = refusal == nil
                if let refusal {
                    metrics.refused(reason: refusal)
                    logger.debug("connection refused: at the connection limit or shutting down",
                                 metadata: ["maxConnections": "\(maxConnections.map(String.init) ?? "none")"])
                } else {
                    metrics.opened(channel)
                }
                if isTCP { try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1) }
                if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                return try served.initialize(channel, admitted: admitted)
            }
        }
        let serverChannel: NIOAsyncChannel<Served.Accepted, Never>
        do {
            switch address {
            case .tcp(let host, let port):
                serverChannel = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            case .unix(let path):
                serverChannel = try await bootstrap.bind(
                    unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            }
        } catch {
            throw served.listenFailed("cannot listen on \(address): \(SocketErrorText.describe(error))", cause: error)
        }
        logger.debug("server listening", metadata: ["address": "\(address)"])
        return ServerEngine(
            served: served, serverChannel: serverChannel, tracker: tracker, maxConnections: maxConnections,
            closeTimeout: closeTimeout, runsHandlersOnEventLoop: runsHandlersOnEventLoop, logger: logger)
    }

    /// Tracks `channel` if the limit allows; returns why it was refused (the `reason` of
    /// ``WAMPMetricNames/connectionsRefused``), `nil` when it was admitted.
    private static func admit(_ channel: any Channel, tracker: NIOLockedValueBox<Tracker>, maxConnections: Int?) -> String? {
        let id = ObjectIdentifier(channel)
        let refusal: String? = tracker.withLockedValue { tracker in
            if tracker.shuttingDown { return "shutting_down" }
            if let maxConnections, tracker.channels.count >= maxConnections { return "max_connections" }
            tracker.channels[id] = channel
            return nil
        }
        guard refusal == nil else { return refusal }
        channel.closeFuture.whenComplete { _ in
            tracker.withLockedValue { tracker in
                tracker.channels[id] = nil
                // A dictionary keeps its capacity when emptied one key at a time (49 KiB after
                // 1,000 connections, measured with heaptrack): let it go once the server is idle.
                if tracker.channels.isEmpty { tracker.channels = [:] }
            }
        }
        return nil
    }

    /// The number of connections open now, handshakes included.
    package var connectionCount: Int { tracker.withLockedValue { $0.channels.count } }

    /// Accepts connections until shutdown, running `handler` for each one in its own child
    /// task; a connection is closed when its handler returns (normally) or throws (going
    /// away). One failing connection (bad handshake, protocol error, handler error) never
    /// stops the server. Returns when the server was shut down and every handler returned.
    package func run(_ handler: @escaping @Sendable (Served.Connection) async throws -> Void) async throws {
        try await withGracefulShutdownHandler {
            try await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        group.addTask { await self.serve(accepted, handler) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    private func serve(
        _ accepted: Served.Accepted, _ handler: @Sendable (Served.Connection) async throws -> Void
    ) async {
        guard let connection = await served.connection(from: accepted, logger: logger) else { return }
        await withTaskExecutorPreference(runsHandlersOnEventLoop ? connection.executor : nil) {
            do {
                try await handler(connection)
                await connection.close(reason: .normal)
            } catch {
                logger.debug("connection handler failed", metadata: ["error": "\(error)"])
                await connection.close(reason: .goingAway)
            }
        }
    }

    /// The accepted connections, each after its opening handshake, as an async sequence. It
    /// ends at shutdown; dropping it (or cancelling the task that iterates it) shuts the server
    /// down. Close each connection when done with it.
    ///
    /// The accept loop runs in a task of its own: an async sequence handed to the caller cannot
    /// own it in a scope. It ends with the server.
    package func connections() -> AsyncThrowingStream<Served.Connection, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Served.Connection, any Error>.makeStream()
        Task {
            do {
                try await run { connection in
                    guard case .enqueued = continuation.yield(connection) else { return }
                    await connection.closed
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // Shutting down (rather than cancelling the accept loop) lets connections still queued
        // in NIO be closed properly.
        continuation.onTermination = { _ in self.beginShutdown() }
        return stream
    }

    /// Starts the shutdown without waiting: stops accepting, refuses what is still arriving,
    /// and closes every open connection gracefully (what was sent is written first; WebSocket
    /// connections get close code 1001), each within the close timeout.
    package func beginShutdown() {
        let channels = tracker.withLockedValue { tracker in
            tracker.shuttingDown = true
            return Array(tracker.channels.values)
        }
        serverChannel.channel.close(promise: nil)
        for channel in channels {
            ChannelBridge.startClosing(channel, reason: .goingAway, timeout: closeTimeout)
        }
    }

    /// Shuts down (``beginShutdown()``) and returns when the listening socket and every
    /// connection are closed.
    package func shutdown() async {
        beginShutdown()
        try? await serverChannel.channel.closeFuture.get()
        let channels = tracker.withLockedValue { Array($0.channels.values) }
        for channel in channels { try? await channel.closeFuture.get() }
    }
}
