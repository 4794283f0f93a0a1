public import Logging
public import NIOCore
import NIOPosix
public import NIOSSL
public import Transport

/// Opens WAMP-over-WebSocket connections to a WAMP router or any WAMP WebSocket server.
///
/// ```swift
/// let connection = try await WebSocketClient.connect(to: try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws"),
///                                                    serializers: [WAMPJSONSerializer()])
/// try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
/// ```
public enum WebSocketClient {
    /// Connects, performs the opening handshake offering the subprotocols of `serializers`
    /// (in order of preference), and returns the open connection using the serializer the
    /// server chose. Close it with ``WebSocketConnection/close()``.
    ///
    /// - Parameters:
    ///   - endpoint: host, port and path; TLS when ``WebSocketEndpoint/usesTLS``.
    ///   - serializers: the serializers to offer, most preferred first.
    ///   - configuration: limits, keepalive and timeouts.
    ///   - tlsConfiguration: TLS settings; when `nil` and the endpoint uses TLS, the system's
    ///     defaults for a client (certificate verification on).
    ///   - serverHostname: the name to verify the server's certificate against and send as SNI;
    ///     defaults to the endpoint's host.
    ///   - eventLoopGroup: where the connection runs.
    ///   - logger: the handshake at debug level, messages and pings at trace level.
    /// - Throws: ``WebSocketError`` (invalid configuration, upgrade refused, no common
    ///   subprotocol, handshake timeout, connection failed).
    public static func connect(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        tlsConfiguration: TLSConfiguration? = nil,
        serverHostname: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> WebSocketConnection {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a client needs at least one serializer to offer")
        }
        let sslContext: NIOSSLContext?
        if endpoint.usesTLS || tlsConfiguration != nil {
            sslContext = try NIOSSLContext(configuration: tlsConfiguration ?? .makeClientConfiguration())
        } else {
            sslContext = nil
        }
        let hostname = serverHostname ?? (endpoint.host.isIPAddress ? nil : endpoint.host)
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(configuration.handshakeTimeout)
        let result: EventLoopFuture<WebSocketUpgradeResult>
        do {
            result = try await bootstrap.connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                    }
                    let upgrade = try WebSocketPipeline.configureClient(
                        on: channel, endpoint: endpoint, serializers: serializers, configuration: configuration,
                        logger: logger)
                    let timeout = configuration.handshakeTimeout
                    let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
                    upgrade.whenComplete { _ in timer.cancel() }
                    // A socket or TLS error before the upgrade completes fails the upgrade.
                    channel.closeFuture.whenComplete { _ in timer.cancel() }
                    return upgrade
                }
            }
        } catch {
            throw WebSocketError(.connectionFailed, "could not connect to \(endpoint): \(error)", cause: error)
        }
        let outcome: WebSocketUpgradeResult
        do {
            outcome = try await result.get()
        } catch let error as WebSocketError {
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
            throw error
        }
    }

    /// Connects, runs `body` with the open connection, and closes the connection when `body`
    /// returns or throws.
    public static func withConnection<Result: Sendable>(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        tlsConfiguration: TLSConfiguration? = nil,
        serverHostname: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.client", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (WebSocketConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(
            to: endpoint, serializers: serializers, configuration: configuration, tlsConfiguration: tlsConfiguration,
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
