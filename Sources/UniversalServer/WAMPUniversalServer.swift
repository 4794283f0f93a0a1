public import Logging
public import NIOCore
import NIOPosix
import NIOSSL
public import RawSocketTransport
public import Transport
public import WebSocketTransport

/// Serves RawSocket and WebSocket clients on one TCP port (like Crossbar.io's "universal"
/// transport): the first octet a client sends tells them apart, 0x7F starting a RawSocket
/// handshake and anything else an HTTP request that is upgraded to a WebSocket. A
/// `WAMPServer` of ``UniversalConnection``s.
///
/// ```swift
/// let server = try await WAMPUniversalServer.bind(to: try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws"),
///                                                 serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
/// try await server.run { connection in
///     try await echo(connection)   // the same code for both transports
/// }
/// ```
public typealias WAMPUniversalServer = WAMPServer<UniversalConnection>

extension WAMPServer where Connection == UniversalConnection {
    /// Binds a server for both transports on one port.
    ///
    /// - Parameters:
    ///   - endpoint: host, port (0 picks a free one) and the HTTP path WebSocket upgrades are
    ///     accepted for; `wss://` serves both over TLS (`rss://` on the same port).
    ///   - serializers: the serializers accepted, by both transports.
    ///   - rawSocketConfiguration: limits and timeouts of RawSocket connections.
    ///   - webSocketConfiguration: limits, keepalive and timeouts of WebSocket connections;
    ///     its `handshakeTimeout` also bounds the wait for a client's first octet. TLS is taken
    ///     from its `tls`, or from the RawSocket configuration's when it has none.
    ///   - maxConnections: the most connections at once, of both kinds, handshakes included;
    ///     more are refused the way of the protocol they speak (RawSocket handshake error 4,
    ///     HTTP 503). `nil` for no limit.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level.
    ///   - handler: what `WAMPServer.run()` (the `Service` entry point) runs for each connection.
    public static func bind(
        to endpoint: WebSocketEndpoint,
        serializers: [any WAMPSerializer],
        rawSocketConfiguration: RawSocketConfiguration = .init(),
        webSocketConfiguration: WebSocketConfiguration = .init(),
        maxConnections: Int? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.universal.server"),
        handler: Handler? = nil
    ) async throws -> WAMPUniversalServer {
        try rawSocketConfiguration.validate()
        try webSocketConfiguration.validate()
        guard !serializers.isEmpty else {
            throw WebSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        if let maxConnections, maxConnections < 1 {
            throw WebSocketError(.invalidConfiguration, "maxConnections \(maxConnections) must be at least 1")
        }
        let tls = webSocketConfiguration.tls ?? rawSocketConfiguration.tls
        if endpoint.usesTLS && tls == nil {
            throw WebSocketError(.invalidConfiguration, "a wss:// endpoint needs a configuration's tls with a certificate and key")
        }
        let served = UniversalServedProtocol(
            rawSocket: RawSocketServedProtocol(
                serializers: serializers, configuration: rawSocketConfiguration, logger: logger),
            webSocket: WebSocketServedProtocol(
                path: endpoint.path, serializers: serializers, configuration: webSocketConfiguration, logger: logger),
            firstOctetTimeout: TimeAmount(webSocketConfiguration.handshakeTimeout),
            metrics: TransportMetrics(
                transport: "universal", role: .server, extraDimensions: webSocketConfiguration.metricsDimensions))
        let engine = try await ServerEngine.bind(
            .tcp(host: endpoint.host, port: endpoint.port), serving: served,
            tls: try tls.map { try NIOSSLContext(configuration: $0) }, maxConnections: maxConnections,
            closeTimeout: TimeAmount(max(rawSocketConfiguration.closeTimeout, webSocketConfiguration.closeTimeout)),
            runsHandlersOnEventLoop: rawSocketConfiguration.runsHandlersOnEventLoop
                && webSocketConfiguration.runsHandlersOnEventLoop,
            eventLoopGroup: eventLoopGroup, logger: logger)
        return WAMPUniversalServer(engine: engine, serializers: serializers, handler: handler) {
            WebSocketError(.invalidConfiguration, "run() serves with the handler given to bind(to:...), and none was given")
        }
    }
}
