public import Logging
public import NIOCore
import NIOPosix
import NIOSSL
public import Transport

/// Accepts WAMP-over-WebSocket connections on a TCP port, negotiating one of the accepted
/// serializers with each client through the `wamp.2.*` subprotocol: a `WAMPServer` of
/// ``WebSocketConnection``s.
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
/// 426, one over the connection limit 503; a client that does not complete the handshake in
/// time is closed.
public typealias WebSocketServer = WAMPServer<WebSocketConnection>

extension WAMPServer where Connection == WebSocketConnection {
    /// Binds a WebSocket server.
    ///
    /// - Parameters:
    ///   - endpoint: host, port (0 picks a free one) and the path upgrades are accepted for;
    ///     `wss://` needs the configuration's `tls`.
    ///   - serializers: the serializers accepted; the first subprotocol offered by a client
    ///     that one of them speaks selects it.
    ///   - configuration: limits, keepalive, timeouts and TLS.
    ///   - maxConnections: the most connections at once, handshakes included; more are
    ///     answered with HTTP 503 and closed. `nil` for no limit.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level, messages and pings at trace level.
    ///   - handler: what `WAMPServer.run()` (the `Service` entry point) runs for each connection.
    /// - Throws: ``WebSocketError/Code/invalidConfiguration``, or
    ///   ``WebSocketError/Code/connectionFailed`` when the address cannot be listened on.
    public static func bind(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: WebSocketConfiguration = .init(),
        maxConnections: Int? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.websocket.server"),
        handler: Handler? = nil
    ) async throws -> WebSocketServer {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        if let maxConnections, maxConnections < 1 {
            throw WebSocketError(.invalidConfiguration, "maxConnections \(maxConnections) must be at least 1")
        }
        if endpoint.usesTLS && configuration.tls == nil {
            throw WebSocketError(.invalidConfiguration, "a wss:// endpoint needs the configuration's tls with a certificate and key")
        }
        let served = WebSocketServedProtocol(
            path: endpoint.path, serializers: serializers, configuration: configuration, logger: logger)
        let engine = try await ServerEngine.bind(
            .tcp(host: endpoint.host, port: endpoint.port), serving: served,
            tls: try configuration.tls.map { try NIOSSLContext(configuration: $0) }, maxConnections: maxConnections,
            closeTimeout: TimeAmount(configuration.closeTimeout),
            runsHandlersOnEventLoop: configuration.runsHandlersOnEventLoop, eventLoopGroup: eventLoopGroup,
            logger: logger)
        return WebSocketServer(engine: engine, serializers: serializers, handler: handler) {
            WebSocketError(.invalidConfiguration, "run() serves with the handler given to bind(to:...), and none was given")
        }
    }
}

/// WebSocket plugged into the ``ServerEngine``: the HTTP upgrade, then a ``WebSocketConnection``.
package struct WebSocketServedProtocol: ServedProtocol {
    let path: String
    let serializers: [any WAMPSerializer]
    let configuration: WebSocketConfiguration
    let logger: Logger
    package let metrics: TransportMetrics

    package init(path: String, serializers: [any WAMPSerializer], configuration: WebSocketConfiguration, logger: Logger) {
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.serializers = serializers
        self.configuration = configuration
        self.logger = logger
        self.metrics = TransportMetrics(
            transport: "websocket", role: .server, extraDimensions: configuration.metricsDimensions)
    }

    package func initialize(_ channel: any Channel, admitted: Bool) throws -> EventLoopFuture<WebSocketUpgradeResult> {
        guard admitted else {
            return try WebSocketPipeline.configureOverloaded(
                on: channel, path: path, serializers: serializers, configuration: configuration, metrics: metrics)
        }
        return try WebSocketPipeline.configureServer(
            on: channel, path: path, serializers: serializers, configuration: configuration, metrics: metrics,
            logger: logger)
    }

    package func connection(from accepted: EventLoopFuture<WebSocketUpgradeResult>, logger: Logger) async -> WebSocketConnection? {
        do {
            switch try await accepted.get() {
            case .upgraded(let opened):
                return opened.connection()
            case .refused(let error):
                logger.debug("WebSocket upgrade refused", metadata: ["error": "\(error)"])
                return nil
            }
        } catch {
            logger.debug("WebSocket handshake failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    package func listenFailed(_ description: String, cause: any Error) -> any Error {
        WebSocketError(.connectionFailed, description, cause: cause)
    }
}
