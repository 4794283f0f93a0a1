import ArgumentParser
import Glibc
import Logging
import Synchronization
import Transport

/// `wamp echo-server`: answers every WAMP message with the same message, re-serialized with the
/// connection's serializer; PINGs are answered with PONGs by the transport.
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Echo every WAMP message back to its sender.")

    @Option(help: """
        Where to listen: rs://HOST:PORT, rss://HOST:PORT (TLS: give --tls-cert and --tls-key), rs+unix:///PATH, \
        ws://HOST:PORT/PATH or wss://HOST:PORT/PATH.
        """)
    var listen: TransportURL

    @Flag(help: """
        Serve RawSocket and WebSocket on the listen URL's TCP port, told apart by the first octet \
        (WebSocket at the ws:// URL's path, /ws for an rs:// URL).
        """)
    var universal = false

    @Option(help: "Accepted serializers, comma-separated, in order of preference.")
    var serializers: String = "json,msgpack"

    @Option(help: "The largest message accepted (RawSocket: a power of two from 512 to 16777216).")
    var maxReceiveLength: Int = 1 << 24

    @Option(help: "The most connections at once; more are refused (RawSocket: handshake error 4, WebSocket: HTTP 503).")
    var maxConnections: Int?

    @OptionGroup var tls: ServerTLSOptions

    @Flag(help: "Log handshakes, frames and pings to standard error.")
    var verbose = false

    @Flag(help: """
        Give freed memory back to the system (glibc's malloc_trim) each time the last open \
        connection closes. `wamp soak` uses it to see whether the server's memory returns to its \
        start level: without it, the allocator keeps freed pages for reuse.
        """)
    var releaseIdleMemory = false

    func run() async throws {
        let plugins = try SerializerOption.list(serializers).map(\.serializer)
        var logger = Logger(label: "wamp.echo-server")
        logger.logLevel = verbose ? .trace : .warning
        try await TransportDialer.serve(
            listen, serializers: plugins, universal: universal, maxReceiveLength: maxReceiveLength,
            maxConnections: maxConnections, tls: try tls.configuration(), logger: logger
        ) { [releaseIdleMemory] transport in
            Self.open.withLock { $0 += 1 }
            defer {
                let remaining = Self.open.withLock { count in
                    count -= 1
                    return count
                }
                if releaseIdleMemory && remaining == 0 { _ = Self.trimMemory?(0) }
            }
            try await Self.echo(transport)
        }
    }

    /// The connections open now.
    static let open = Mutex(0)

    /// glibc's `malloc_trim`, which Swift's Glibc module does not export; looked up at run time.
    static let trimMemory: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    /// Sends every message received back on the same transport.
    @Sendable static func echo<T: WAMPTransport>(_ transport: T) async throws {
        for try await message in transport.inbound {
            try await transport.send(message)
        }
    }
}
