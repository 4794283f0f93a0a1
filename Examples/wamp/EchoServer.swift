import ArgumentParser
import Logging
import RawSocketTransport
import Transport
import WebSocketTransport

/// `wamp echo-server`: answers every WAMP message with the same message, re-serialized with the
/// connection's serializer; PINGs are answered with PONGs by the transport.
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Echo every WAMP message back to its sender.")

    @Option(help: ArgumentHelp("Where to listen: \(TransportURL.serverSchemes)."))
    var listen: TransportURL

    @Flag(help: """
        Serve RawSocket and WebSocket on the listen URL's TCP port, told apart by the first octet \
        (WebSocket at the ws:// URL's path, /ws for an rs:// URL).
        """)
    var universal = false

    @Option(help: SerializerOption.listHelp)
    var serializers: String = SerializerOption.all

    @Option(help: "The largest message accepted (RawSocket: a power of two from 512 to 16777216).")
    var maxReceiveLength: Int = 1 << 24

    @Option(help: "The most connections at once; more are refused (RawSocket: handshake error 4, WebSocket: HTTP 503).")
    var maxConnections: Int?

    @OptionGroup var tls: ServerTLSOptions

    @Flag(help: "Log handshakes, frames and pings to standard error.")
    var verbose = false

    @Flag(help: """
        Give freed memory back to the system (glibc's malloc_trim) when no connection has been open \
        for 0.5 s, and again after 6 s. `wamp soak` uses it to see whether the server's memory \
        returns to its start level: without it, the allocator keeps freed pages for reuse.
        """)
    var releaseIdleMemory = false

    @Flag(help: """
        Echo each message's payload as received, without deserializing and serializing it again \
        (what the C limit of the benchmarks does): measures the transport alone.
        """)
    var opaque = false

    /// Decode every payload before sending it back (with MessagePack, payloads otherwise stay
    /// serialized and are copied back as received): what reading `args` and `kwargs` costs.
    @Flag(help: "Decode each message's Args and Kw before echoing it (MessagePack otherwise copies them back undecoded).")
    var decodePayloads = false

    /// With `--release-idle-memory`: glibc's per-arena statistics on standard error at each trim.
    @Flag(help: .hidden)
    var mallocStats = false

    /// Stops after this many connections have ended, with no signal handler: for valgrind's
    /// callgrind (see `ConnectionCountdown`).
    @Option(help: .hidden)
    var exitAfterConnections: Int?

    func validate() throws {
        _ = try SerializerOption.list(serializers)
    }

    func run() async throws {
        let plugins = try SerializerOption.list(serializers).map(\.serializer)
        var logger = Logger(label: "wamp.echo-server")
        logger.logLevel = verbose ? .trace : .warning
        let memoryRelease = releaseIdleMemory ? IdleMemoryRelease(printsStatistics: mallocStats) : nil
        try await TransportDialer.serve(
            listen, serializers: plugins, universal: universal, maxReceiveLength: maxReceiveLength,
            maxConnections: maxConnections, tls: try tls.configuration(), logger: logger,
            countdown: exitAfterConnections.map(ConnectionCountdown.init(connections:))
        ) { [memoryRelease, opaque, decodePayloads] transport in
            memoryRelease?.opened()
            defer { memoryRelease?.closed() }
            if opaque {
                try await Self.echoPayloads(transport)
            } else {
                try await Self.echo(transport, decodingPayloads: decodePayloads)
            }
        }
    }

    /// Sends every payload received back as it is, on RawSocket and WebSocket connections.
    @Sendable static func echoPayloads<T: WAMPTransport>(_ transport: T) async throws {
        if let connection = transport as? RawSocketConnection {
            for try await payload in connection.payloads { try await connection.send(payload: payload) }
        } else if let connection = transport as? WebSocketConnection {
            for try await payload in connection.payloads { try await connection.send(payload: payload) }
        } else {
            try await echo(transport, decodingPayloads: false)
        }
    }

    /// Sends every message received back on the same transport; with `decodingPayloads`, each
    /// payload decoded first.
    @Sendable static func echo<T: WAMPTransport>(_ transport: T, decodingPayloads: Bool) async throws {
        for try await message in transport.inbound {
            guard decodingPayloads, let payload = message.payload else {
                try await transport.send(message)
                continue
            }
            var decoded = message
            decoded.payload = payload.decoded
            try await transport.send(decoded)
        }
    }
}
