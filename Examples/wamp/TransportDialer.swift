import ArgumentParser
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RawSocketTransport
import ServiceLifecycle
import UnixSignals
import Transport
import UniversalServer
import WebSocketTransport

/// A transport URL on the command line: `rs://`, `rss://`, `rs+unix://` (RawSocket) or
/// `ws://`, `wss://` (WebSocket, with a path). Port 0 is accepted, for servers: they listen on
/// a free port and print it.
enum TransportURL: ExpressibleByArgument, CustomStringConvertible, Sendable {
    case rawSocket(RawSocketEndpoint)
    case webSocket(WebSocketEndpoint)

    /// Every URL a client takes, for help texts.
    static let clientSchemes = """
        rs://HOST:PORT, rss://HOST:PORT (TLS), rs+unix:///PATH, ws://HOST:PORT/PATH or \
        wss://HOST:PORT/PATH (TLS)
        """

    /// Every URL a server listens on, for help texts.
    static let serverSchemes = """
        rs://HOST:PORT, rss://HOST:PORT (TLS: give --tls-cert and --tls-key), rs+unix:///PATH, \
        ws://HOST:PORT/PATH or wss://HOST:PORT/PATH (TLS); port 0 listens on a free port
        """

    init(url: String) throws {
        let scheme = url.split(separator: ":", maxSplits: 1).first?.lowercased() ?? ""
        if scheme == "ws" || scheme == "wss" {
            self = .webSocket(try WebSocketEndpoint(url: url))
        } else {
            self = .rawSocket(try RawSocketEndpoint(url: url))
        }
    }

    init?(argument: String) {
        guard let url = try? TransportURL(url: argument) else { return nil }
        self = url
    }

    var description: String {
        switch self {
        case .rawSocket(let endpoint): return endpoint.description
        case .webSocket(let endpoint): return endpoint.description
        }
    }

    /// Whether the URL asks for TLS: `rss://` or `wss://`.
    var usesTLS: Bool {
        switch self {
        case .rawSocket(let endpoint): return endpoint.usesTLS
        case .webSocket(let endpoint): return endpoint.usesTLS
        }
    }

    /// `rawsocket` or `websocket`.
    var transportName: String {
        switch self {
        case .rawSocket: return "rawsocket"
        case .webSocket: return "websocket"
        }
    }

    /// The octets a client's frame adds to a message of `length` octets.
    func clientFrameOverhead(length: Int) -> Int {
        switch self {
        case .rawSocket: return 4
        case .webSocket: return (length < 126 ? 2 : length < 65536 ? 4 : 10) + 4  // header + mask
        }
    }
}

/// Opens client connections and runs servers for the transport a URL names. All of the
/// `wamp` tool's URL-to-transport wiring is in this file.
enum TransportDialer {
    /// Connects to a URL given as text: `rs://HOST:PORT`, `rss://HOST:PORT`,
    /// `rs+unix:///PATH`, `ws://HOST:PORT/PATH` or `wss://HOST:PORT/PATH`. The session
    /// subcommands call it again to reconnect. The connection runs on `eventLoopGroup` (default:
    /// SwiftNIO's shared group).
    ///
    /// - Throws: ``ToolFailure``: a usage error for a URL no transport understands, else the
    ///   connection error with the URL.
    static func connect(
        url: String, serializer: SerializerOption, tls: ClientTLSOptions,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> any WAMPTransport {
        let parsed: TransportURL
        do {
            parsed = try TransportURL(url: url)
        } catch {
            throw ToolFailure(.usage, "--url \(url): \(ToolFailure.text(error))")
        }
        return try await connect(parsed, serializer: serializer.serializer, tls: tls, eventLoopGroup: eventLoopGroup)
    }

    /// Connects to `url` with `serializer` (RawSocket asks for it, WebSocket offers its
    /// subprotocol).
    static func connect(
        _ url: TransportURL, serializer: any WAMPSerializer, tls: ClientTLSOptions,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> any WAMPTransport {
        try await connect(
            url, serializer: serializer, tls: try tls.configuration(), serverHostname: tls.tlsServerName,
            eventLoopGroup: eventLoopGroup)
    }

    /// Connects to `url` with `serializer`, with TLS when `tls` is given (verifying the server's
    /// certificate against `serverHostname`, default: the URL's host).
    ///
    /// - Throws: ``ToolFailure`` naming the URL (`cannot connect to URL: ...`).
    static func connect(
        _ url: TransportURL, serializer: any WAMPSerializer, tls tlsConfiguration: TLSConfiguration? = nil,
        serverHostname: String? = nil, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> any WAMPTransport {
        do {
            return try await open(
                url, serializer: serializer, tls: tlsConfiguration, serverHostname: serverHostname,
                eventLoopGroup: eventLoopGroup)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ToolFailure.connecting(to: url, error)
        }
    }

    /// Opens the transport for `url`.
    private static func open(
        _ url: TransportURL, serializer: any WAMPSerializer, tls tlsConfiguration: TLSConfiguration?,
        serverHostname: String?, eventLoopGroup: any EventLoopGroup
    ) async throws -> any WAMPTransport {
        switch url {
        case .rawSocket(let endpoint):
            let configuration = RawSocketConfiguration {
                $0.tls = tlsConfiguration
                $0.serverHostname = serverHostname
            }
            return try await RawSocketClient.connect(
                to: endpoint, serializers: [serializer], configuration: configuration, eventLoopGroup: eventLoopGroup)
        case .webSocket(let endpoint):
            let configuration = WebSocketConfiguration {
                $0.tls = tlsConfiguration
                $0.serverHostname = serverHostname
            }
            return try await WebSocketClient.connect(
                to: endpoint, serializers: [serializer], configuration: configuration, eventLoopGroup: eventLoopGroup)
        }
    }

    /// A bound server and the URLs it listens on (with the real port when port 0 was asked).
    struct BoundServer: Sendable {
        /// The server, to run in a `ServiceGroup`.
        let service: any Service
        /// The TCP port it listens on (`nil` for a Unix socket).
        let port: Int?
        /// `rs://HOST:PORT`, or `rs://HOST:PORT and ws://HOST:PORT/ws` for a universal server.
        let listening: String
    }

    /// Binds a server at `url` (or a universal server on its TCP port when `universal`),
    /// prints `listening on URL`, and runs `handler` for every connection until SIGINT or
    /// SIGTERM, which shut the server down gracefully (a `ServiceGroup`); with a `countdown`,
    /// until that many connections have ended instead, with no signal handler.
    static func serve(
        _ url: TransportURL, serializers: [any WAMPSerializer], universal: Bool, maxReceiveLength: Int,
        maxConnections: Int?, tls: TLSConfiguration?, logger: Logger, countdown: ConnectionCountdown? = nil,
        _ handler: @escaping @Sendable (any WAMPTransport) async throws -> Void
    ) async throws {
        let server = try await bind(
            url, serializers: serializers, universal: universal, maxReceiveLength: maxReceiveLength,
            maxConnections: maxConnections, tls: tls, logger: logger
        ) { transport in
            do {
                try await handler(transport)
            } catch {
                await countdown?.connectionEnded()
                throw error
            }
            await countdown?.connectionEnded()
        }
        printLine("listening on \(server.listening)")
        try await runUntilSignal([server.service], logger: logger, countdown: countdown)
    }

    /// Binds a server at `url` (or a universal server on its TCP port when `universal`) that
    /// runs `handler` for every connection once the returned service runs, on
    /// ``ServerEventLoops/group``.
    ///
    /// - Throws: ``ToolFailure``: a usage error for a universal server on a Unix socket, else
    ///   the bind error with the URL (`cannot listen on ...`).
    static func bind(
        _ url: TransportURL, serializers: [any WAMPSerializer], universal: Bool, maxReceiveLength: Int,
        maxConnections: Int?, tls: TLSConfiguration?, logger: Logger,
        _ handler: @escaping @Sendable (any WAMPTransport) async throws -> Void
    ) async throws -> BoundServer {
        do {
            return try await bindOrThrow(
                url, serializers: serializers, universal: universal, maxReceiveLength: maxReceiveLength,
                maxConnections: maxConnections, tls: tls, logger: logger, handler)
        } catch {
            throw ToolFailure.listening(on: url, error)
        }
    }

    /// ``bind(_:serializers:universal:maxReceiveLength:maxConnections:tls:logger:_:)`` without
    /// the place in its errors.
    private static func bindOrThrow(
        _ url: TransportURL, serializers: [any WAMPSerializer], universal: Bool, maxReceiveLength: Int,
        maxConnections: Int?, tls: TLSConfiguration?, logger: Logger,
        _ handler: @escaping @Sendable (any WAMPTransport) async throws -> Void
    ) async throws -> BoundServer {
        let rawSocketConfiguration = RawSocketConfiguration {
            $0.maxReceiveLength = maxReceiveLength
            $0.tls = tls
        }
        let webSocketConfiguration = WebSocketConfiguration {
            $0.maxReceiveLength = maxReceiveLength
            $0.tls = tls
        }
        if universal {
            let (host, port, path): (String, Int, String)
            switch url {
            case .webSocket(let endpoint): (host, port, path) = (endpoint.host, endpoint.port, endpoint.path)
            case .rawSocket(let endpoint):
                guard case .tcp(let h, let p) = endpoint.address else {
                    throw ValidationError("a universal server needs a TCP address, not \(endpoint)")
                }
                (host, port, path) = (h, p, "/ws")
            }
            let server = try await WAMPUniversalServer.bind(
                to: WebSocketEndpoint(host: host, port: port, path: path, usesTLS: tls != nil), serializers: serializers,
                rawSocketConfiguration: rawSocketConfiguration, webSocketConfiguration: webSocketConfiguration,
                maxConnections: maxConnections, eventLoopGroup: ServerEventLoops.group, logger: logger, handler: handler)
            let shown = host.contains(":") ? "[\(host)]" : host
            let actual = server.port ?? port
            let (rs, ws) = tls == nil ? ("rs", "ws") : ("rss", "wss")
            return BoundServer(service: server, port: actual, listening: "\(rs)://\(shown):\(actual) and \(ws)://\(shown):\(actual)\(path)")
        }
        switch url {
        case .rawSocket(let endpoint):
            let server = try await RawSocketServer.bind(
                to: endpoint, serializers: serializers, configuration: rawSocketConfiguration,
                maxConnections: maxConnections, eventLoopGroup: ServerEventLoops.group, logger: logger, handler: handler)
            if case .tcp(let host, _) = endpoint.address, let port = server.port {
                return BoundServer(service: server, port: port, listening: "\(RawSocketEndpoint(.tcp(host: host, port: port), usesTLS: endpoint.usesTLS))")
            }
            return BoundServer(service: server, port: nil, listening: "\(endpoint)")
        case .webSocket(let endpoint):
            let server = try await WebSocketServer.bind(
                to: endpoint, serializers: serializers, configuration: webSocketConfiguration,
                maxConnections: maxConnections, eventLoopGroup: ServerEventLoops.group, logger: logger, handler: handler)
            var shown = endpoint
            shown.port = server.port ?? endpoint.port
            return BoundServer(service: server, port: shown.port, listening: "\(shown)")
        }
    }

    /// Runs `services` in a `ServiceGroup` that shuts them down gracefully, the last one first,
    /// on SIGINT or SIGTERM (or, with a `countdown`, once it reaches zero, with no signal
    /// handler); returns once every one of them ended.
    static func runUntilSignal(_ services: [any Service], logger: Logger, countdown: ConnectionCountdown? = nil) async throws {
        if let countdown {
            return try await countdown.run(services, logger: logger)
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
