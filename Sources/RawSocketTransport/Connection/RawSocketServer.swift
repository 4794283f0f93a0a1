public import Logging
public import NIOCore
import NIOPosix
import NIOSSL
public import Transport

/// Accepts RawSocket connections on a TCP port or a Unix socket, negotiating one of the
/// accepted serializers with each client: a `WAMPServer` of ``RawSocketConnection``s.
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
/// serializer not in the list gets error reply 1, one over the connection limit error reply 4,
/// one that does not complete the handshake in time is closed.
public typealias RawSocketServer = WAMPServer<RawSocketConnection>

extension WAMPServer where Connection == RawSocketConnection {
    /// Binds a RawSocket server.
    ///
    /// - Parameters:
    ///   - endpoint: TCP host and port (port 0 picks a free one), or a Unix socket path (an
    ///     existing socket file is replaced); `rss://` needs the configuration's `tls`.
    ///   - serializers: the serializers accepted; the client's choice selects one.
    ///   - configuration: limits, keepalive, timeouts and TLS.
    ///   - maxConnections: the most connections at once; `nil` for no limit.
    ///   - eventLoopGroup: where connections run.
    ///   - logger: connections at debug level, frames and pings at trace level.
    ///   - handler: what `WAMPServer.run()` (the `Service` entry point) runs for each connection.
    /// - Throws: ``RawSocketError/Code/invalidConfiguration``, or
    ///   ``RawSocketError/Code/connectionFailed`` when the address cannot be listened on.
    public static func bind(
        to endpoint: RawSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: RawSocketConfiguration = .init(),
        maxConnections: Int? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.server"),
        handler: Handler? = nil
    ) async throws -> RawSocketServer {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw RawSocketError(.invalidConfiguration, "a server needs at least one serializer")
        }
        if let maxConnections, maxConnections < 1 {
            throw RawSocketError(.invalidConfiguration, "maxConnections \(maxConnections) must be at least 1")
        }
        if endpoint.usesTLS && configuration.tls == nil {
            throw RawSocketError(.invalidConfiguration, "an rss:// endpoint needs the configuration's tls with a certificate and key")
        }
        let engine = try await ServerEngine.bind(
            endpoint.listenAddress,
            serving: RawSocketServedProtocol(serializers: serializers, configuration: configuration, logger: logger),
            tls: try configuration.tls.map { try NIOSSLContext(configuration: $0) }, maxConnections: maxConnections,
            closeTimeout: TimeAmount(configuration.closeTimeout),
            runsHandlersOnEventLoop: configuration.runsHandlersOnEventLoop, eventLoopGroup: eventLoopGroup,
            logger: logger)
        return RawSocketServer(engine: engine, serializers: serializers, handler: handler) {
            RawSocketError(.invalidConfiguration, "run() serves with the handler given to bind(to:...), and none was given")
        }
    }
}

/// RawSocket plugged into the ``ServerEngine``: the handshake, then a ``RawSocketConnection``.
package struct RawSocketServedProtocol: ServedProtocol {
    let serializers: [any WAMPSerializer]
    let configuration: RawSocketConfiguration
    let logger: Logger
    package let metrics: TransportMetrics

    package init(serializers: [any WAMPSerializer], configuration: RawSocketConfiguration, logger: Logger) {
        self.serializers = serializers
        self.configuration = configuration
        self.logger = logger
        self.metrics = TransportMetrics(
            transport: "rawsocket", role: .server, extraDimensions: configuration.metricsDimensions)
    }

    package func initialize(_ channel: any Channel, admitted: Bool) throws -> OpenedChannel {
        try RawSocketPipeline.installServer(
            on: channel, serializers: serializers, configuration: configuration,
            refusal: admitted ? nil : .maxConnectionCountReached, metrics: metrics, logger: logger)
    }

    package func connection(from accepted: OpenedChannel, logger: Logger) async -> RawSocketConnection? {
        do {
            return try await accepted.connection(serializers: serializers)
        } catch {
            logger.debug("RawSocket handshake failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    package func listenFailed(_ description: String, cause: any Error) -> any Error {
        RawSocketError(.connectionFailed, description, cause: cause)
    }
}
