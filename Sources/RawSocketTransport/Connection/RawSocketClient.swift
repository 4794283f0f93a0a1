public import Logging
public import NIOCore
import NIOPosix
public import Transport

/// Opens RawSocket connections to a WAMP router or any RawSocket server.
///
/// ```swift
/// try await RawSocketClient.withConnection(to: try RawSocketEndpoint(url: "rs://127.0.0.1:8080"),
///                                          serializers: [WAMPJSONSerializer()]) { connection in
///     try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
/// }
/// ```
public enum RawSocketClient {
    /// Connects, performs the handshake, and returns the open connection. Close it with
    /// ``RawSocketConnection/close()``; ``withConnection(to:serializers:configuration:eventLoopGroup:logger:_:)``
    /// does that for you.
    ///
    /// A RawSocket client asks for one serializer per handshake: the first of `serializers`;
    /// when the server refuses it as unsupported (handshake error 1), the next one, on a new
    /// connection.
    ///
    /// Cancelling the task ends the connect and the handshake at once (`CancellationError`).
    ///
    /// - Parameters:
    ///   - endpoint: TCP host and port, or Unix socket path; TLS when ``RawSocketEndpoint/usesTLS``
    ///     or the configuration's `tls` is set.
    ///   - serializers: the serializers to ask for, most preferred first.
    ///   - configuration: limits, keepalive, timeouts, TLS and the server name.
    ///   - eventLoopGroup: where the connection runs.
    ///   - logger: the handshake at debug level, frames and pings at trace level.
    /// - Throws: ``RawSocketError``: invalid configuration, connection failed (refused, TLS),
    ///   handshake refused with its code, bad reply, handshake timeout.
    public static func connect(
        to endpoint: RawSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: RawSocketConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.client")
    ) async throws -> RawSocketConnection {
        try configuration.validate()
        guard !serializers.isEmpty else {
            throw RawSocketError(.invalidConfiguration, "a client needs at least one serializer to ask for")
        }
        var host: String?
        if case .tcp(let name, _) = endpoint.address { host = name }
        let tlsHandler = try ClientConnector.tlsHandlerFactory(
            tls: configuration.tls, endpointUsesTLS: endpoint.usesTLS, host: host,
            serverHostname: configuration.serverHostname)
        let metrics = TransportMetrics(
            transport: "rawsocket", role: .client, extraDimensions: configuration.metricsDimensions)
        for (index, serializer) in serializers.enumerated() {
            do {
                let opened: OpenedChannel
                do {
                    opened = try await ClientConnector.connect(
                        endpoint.listenAddress, group: eventLoopGroup,
                        connectTimeout: TimeAmount(configuration.handshakeTimeout)
                    ) { channel in
                        if let tlsHandler { try channel.pipeline.syncOperations.addHandler(try tlsHandler()) }
                        return try RawSocketPipeline.installClient(
                            on: channel, serializer: serializer, configuration: configuration, metrics: metrics,
                            logger: logger)
                    }
                } catch let error as CancellationError {
                    throw error
                } catch where SocketErrorText.isConnectTimeout(error) {
                    throw RawSocketError(
                        .handshakeTimeout, "cannot connect to \(endpoint): no answer within \(configuration.handshakeTimeout)",
                        cause: error)
                } catch {
                    throw RawSocketError(
                        .connectionFailed, "cannot connect to \(endpoint): \(SocketErrorText.describe(error))", cause: error)
                }
                let connection = try await opened.connection(serializers: [serializer])
                logger.debug("RawSocket connected", metadata: ["endpoint": "\(endpoint)", "serializer": "\(serializer.id)"])
                return connection
            } catch let error as RawSocketError
                where error.handshakeErrorCode == .serializerUnsupported && index + 1 < serializers.count
            {
                logger.debug("RawSocket serializer refused, trying the next", metadata: ["serializer": "\(serializer.id)"])
            }
        }
        preconditionFailure("the loop returns or throws for the last serializer")
    }

    /// Connects, runs `body` with the open connection, and closes the connection when `body`
    /// returns or throws.
    ///
    /// `body` runs on the connection's event loop (see
    /// `WAMPConnectionSettings.runsHandlersOnEventLoop`): it must not block.
    public static func withConnection<Result: Sendable>(
        to endpoint: RawSocketEndpoint,
        serializers: [any WAMPSerializer],
        configuration: RawSocketConfiguration = .init(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "wamp.rawsocket.client"),
        _ body: (RawSocketConnection) async throws -> Result
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
