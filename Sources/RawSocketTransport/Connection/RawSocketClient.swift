public import Logging
public import NIOCore
import NIOPosix
public import NIOSSL
public import Transport

/// Opens RawSocket connections to a WAMP router or any RawSocket server.
///
/// ```swift
/// let connection = try await RawSocketClient.connect(to: try RawSocketEndpoint(url: "rs://127.0.0.1:8080"),
///                                                    serializer: WAMPJSONSerializer())
/// defer { Task { try await connection.close() } }
/// try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
/// ```
public enum RawSocketClient {
    /// Connects, performs the handshake asking for `serializer`, and returns the open
    /// connection. Close it with ``RawSocketConnection/close()``.
    ///
    /// - Parameters:
    ///   - endpoint: TCP host and port, or Unix socket path; TLS when ``RawSocketEndpoint/usesTLS``.
    ///   - serializer: the serializer to ask for.
    ///   - configuration: limits, keepalive and timeouts.
    ///   - tlsConfiguration: TLS settings; when `nil` and the endpoint uses TLS, the system's
    ///     defaults for a client (certificate verification on).
    ///   - serverHostname: the name to verify the server's certificate against and send as SNI;
    ///     defaults to the endpoint's host.
    ///   - eventLoopGroup: where the connection runs.
    ///   - logger: handshake at debug level, frames and pings at trace level.
    /// - Throws: ``RawSocketError`` (invalid configuration, handshake refused with its code,
    ///   bad reply, handshake timeout, connection closed) or the socket's or TLS's error.
    public static func connect(
        to endpoint: RawSocketEndpoint,
        serializer: any WAMPSerializer,
        configuration: RawSocketConfiguration = .init(),
        tlsConfiguration: TLSConfiguration? = nil,
        serverHostname: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> RawSocketConnection {
        try configuration.validate()
        let sslContext: NIOSSLContext?
        if endpoint.usesTLS || tlsConfiguration != nil {
            sslContext = try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration())
        } else {
            sslContext = nil
        }
        var name = serverHostname
        if name == nil, case .tcp(let host, _) = endpoint.address, !host.isIPAddress { name = host }
        let hostname = name
        let role = RawSocketStateMachine.Role.client(serializer: serializer.id.rawSocketValue)
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connectTimeout(configuration.handshakeTimeout)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<OpenedChannel> = { channel in
            channel.eventLoop.makeCompletedFuture {
                if case .tcp = endpoint.address {
                    try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1)
                }
                return try RawSocketPipeline.install(
                    on: channel, role: role, configuration: configuration, logger: logger,
                    sslHandler: sslContext.map { try NIOSSLClientHandler(context: $0, serverHostname: hostname) })
            }
        }
        let opened: OpenedChannel
        switch endpoint.address {
        case .tcp(let host, let port):
            opened = try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
        case .unix(let path):
            opened = try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
        }
        return try await opened.connection(serializers: [serializer])
    }

    /// Connects, runs `body` with the open connection, and closes the connection when `body`
    /// returns or throws.
    ///
    /// `body` runs on the connection's event loop (see
    /// ``RawSocketConfiguration/runsHandlersOnEventLoop``): it must not block.
    public static func withConnection<Result: Sendable>(
        to endpoint: RawSocketEndpoint,
        serializer: any WAMPSerializer,
        configuration: RawSocketConfiguration = .init(),
        tlsConfiguration: TLSConfiguration? = nil,
        serverHostname: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.client", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (RawSocketConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(
            to: endpoint, serializer: serializer, configuration: configuration, tlsConfiguration: tlsConfiguration,
            serverHostname: serverHostname, eventLoopGroup: eventLoopGroup, logger: logger)
        do {
            let result: Result
            if configuration.runsHandlersOnEventLoop {
                result = try await withTaskExecutorPreference(connection.executor) { try await body(connection) }
            } else {
                result = try await body(connection)
            }
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

extension String {
    fileprivate var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
