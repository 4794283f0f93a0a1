public import NIOCore
public import ServiceLifecycle

/// A server that accepts WAMP connections: `RawSocketServer`, `WebSocketServer` and
/// `WAMPUniversalServer` are this type for their connection, each made by its transport's
/// `bind(to:...)`. They listen, admit connections up to a limit, run a handler per connection
/// and shut down the same way.
///
/// ```swift
/// let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 8080),
///                                             serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()]) { connection in
///     for try await message in connection.inbound { try await connection.send(message) }
/// }
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
///
/// A server is a swift-service-lifecycle `Service`: ``run()`` serves with the handler given to
/// `bind` until graceful shutdown is triggered, then stops accepting, closes each connection
/// gracefully (within the configuration's `closeTimeout`) and returns once every handler
/// returned. Without a service group, call ``run(_:)`` or iterate ``connections()``, and
/// ``shutdown()``.
public final class WAMPServer<Connection: WAMPTransport>: Service {
    /// Handles one connection; the connection is closed when it returns or throws.
    public typealias Handler = @Sendable (Connection) async throws -> Void

    /// The serializers accepted, in order of preference.
    public let serializers: [any WAMPSerializer]
    private let engine: any ServerEngineProtocol<Connection>
    private let handler: Handler?
    /// Makes the transport's error for ``run()`` without a handler.
    private let missingHandler: @Sendable () -> any Error

    package init(
        engine: any ServerEngineProtocol<Connection>, serializers: [any WAMPSerializer], handler: Handler?,
        missingHandler: @escaping @Sendable () -> any Error
    ) {
        self.engine = engine
        self.serializers = serializers
        self.handler = handler
        self.missingHandler = missingHandler
    }

    /// The address the server listens on (with the port the system chose for port 0).
    public var localAddress: SocketAddress? { engine.localAddress }
    /// The TCP port the server listens on, when it listens on TCP.
    public var port: Int? { engine.localAddress?.port }
    /// The most connections open at once (handshakes included), `nil` for no limit. More are
    /// refused the transport's way (RawSocket handshake error 4, HTTP 503).
    public var maxConnections: Int? { engine.maxConnections }
    /// The number of connections open now, handshakes included.
    public var connectionCount: Int { engine.connectionCount }

    /// Serves with the handler given to `bind` until graceful shutdown (swift-service-lifecycle)
    /// or ``shutdown()``; returns when every connection ended.
    ///
    /// - Throws: the transport's `invalidConfiguration` error when `bind` was given no handler.
    public func run() async throws {
        guard let handler else { throw missingHandler() }
        try await engine.run(handler)
    }

    /// Accepts connections until graceful shutdown or ``shutdown()``, running `handler` for
    /// each one in its own child task; a connection is closed when its handler returns or
    /// throws. One failing connection (bad handshake, protocol error, handler error) never
    /// stops the server. Returns when every handler returned.
    ///
    /// Handlers run on their connection's event loop unless the configuration's
    /// `runsHandlersOnEventLoop` is off: they must not block.
    public func run(_ handler: @escaping Handler) async throws {
        try await engine.run(handler)
    }

    /// The accepted connections, each after its opening handshake, as an async sequence. It
    /// ends at shutdown; dropping it (or cancelling the task that iterates it) shuts the server
    /// down. Close each connection when done with it.
    public func connections() -> AsyncThrowingStream<Connection, any Error> {
        engine.connections()
    }

    /// Stops accepting, closes every open connection gracefully (what was sent is written
    /// first; WebSocket connections get close code 1001), each within the configuration's
    /// `closeTimeout`, and returns when all are closed.
    public func shutdown() async {
        await engine.shutdown()
    }
}
