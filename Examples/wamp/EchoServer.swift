import ArgumentParser
import Logging
import RawSocketTransport
import Transport

/// `wamp echo-server`: answers every WAMP message with the same message, re-serialized with the
/// connection's serializer; PINGs are answered with PONGs by the transport.
struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Echo every WAMP message back to its sender.")

    @Option(help: "Where to listen: rs://HOST:PORT, rss://HOST:PORT (TLS: give --tls-cert and --tls-key) or rs+unix:///PATH.")
    var listen: RawSocketEndpoint

    @Option(help: "Accepted serializers, comma-separated, in order of preference.")
    var serializers: String = "json,msgpack"

    @Option(help: "The largest message accepted (a power of two from 512 to 16777216).")
    var maxReceiveLength: Int = 1 << 24

    @Option(help: "The most connections at once; more are refused with handshake error 4.")
    var maxConnections: Int?

    @OptionGroup var tls: ServerTLSOptions

    @Flag(help: "Log handshakes, frames and pings to standard error.")
    var verbose = false

    func run() async throws {
        let plugins = try SerializerOption.list(serializers).map(\.serializer)
        var configuration = RawSocketConfiguration()
        configuration.maxReceiveLength = maxReceiveLength
        var logger = Logger(label: "wamp.echo-server")
        logger.logLevel = verbose ? .trace : .warning
        let server = try await RawSocketServer.bind(
            to: listen, serializers: plugins, configuration: configuration, maxConnections: maxConnections,
            tlsConfiguration: try tls.configuration(), logger: logger)
        if case .tcp(let host, _) = listen.address, let port = server.port {
            printLine("listening on \(RawSocketEndpoint(.tcp(host: host, port: port), usesTLS: listen.usesTLS))")
        } else {
            printLine("listening on \(listen)")
        }
        try await server.run { connection in
            for try await message in connection.inbound {
                try await connection.send(message)
            }
        }
    }
}
