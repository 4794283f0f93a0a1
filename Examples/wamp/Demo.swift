import ArgumentParser
import JSONSerializer
import Logging
import MsgPackSerializer
import RawSocketTransport
import ServiceLifecycle
import Transport
import WAMPRouter
import WAMPSession

/// `wamp demo`: an embedded WAMP router on a loopback port and two sessions, one over RawSocket
/// with MessagePack and one over WebSocket with JSON, that register, call, subscribe and publish
/// through it; the transcript shows every message each session sends and receives.
///
/// `wamp demo --transport`: the transport alone: an embedded RawSocket server and client
/// negotiate MessagePack and then JSON, exchange typed messages and a PING, and print the
/// handshakes, frames and messages.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an embedded WAMP router and two sessions (RawSocket/MessagePack, WebSocket/JSON) and print what they exchange.",
        discussion: "Ends by itself with exit status 0. With --transport: a RawSocket server and client, handshakes and frames.")

    @Flag(help: "Show the RawSocket transport instead: handshakes, frames and a PING between an embedded server and client.")
    var transport = false

    @Option(help: "With --transport: serializers to demonstrate, in order, comma-separated: json, msgpack, cbor.")
    var serializers: String = "msgpack,json"

    func run() async throws {
        if transport {
            try await transportTranscript()
        } else {
            try await routerTranscript()
        }
    }

    /// The router demo.
    func routerTranscript() async throws {
        var logger = Logger(label: "wamp.demo")
        logger.logLevel = .warning
        let router = WAMPRouter(configuration: .init(realms: ["realm1"]), logger: logger)
        let server = try await TransportDialer.bind(
            .rawSocket(.tcp(host: "127.0.0.1", port: 0)), serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()],
            universal: true, maxReceiveLength: 1 << 24, maxConnections: nil, tls: nil, logger: logger
        ) { connection in
            await router.serve(connection)
        }
        let port = server.port ?? 0
        printLine("router: realm1, listening on \(server.listening) (RawSocket and WebSocket on one port)")
        let group = ServiceGroup(configuration: .init(services: [server.service, router], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await Self.sessions(port: port) {
                    printLine("\n== the router shuts down: GOODBYE to B, still joined ==")
                    await group.triggerGracefulShutdown()
                }
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            try await tasks.waitForAll()
        }
        printLine("\ndone: call result and event delivered through the embedded router")
    }

    /// Session A (RawSocket, MessagePack) registers `com.example.add` and publishes; session B
    /// (WebSocket, JSON) calls it and subscribes. After A left, `shutdown` shuts the router
    /// down while B is still joined and subscribed, and B's events end.
    static func sessions(port: Int, shutdown: () async -> Void) async throws {
        let procedure = "com.example.add"
        let topic = "com.example.tick"
        printLine("\n== B joins realm1 over WebSocket with JSON ==")
        try await withSession(url: "ws://127.0.0.1:\(port)/ws", serializer: WAMPJSONSerializer(), name: "B") { b in
            printLine("\n== A joins realm1 over RawSocket with MessagePack ==")
            let subscription = try await withSession(url: "rs://127.0.0.1:\(port)", serializer: WAMPMsgPackSerializer(), name: "A") { a in
                printLine("\n== A registers \(procedure) ==")
                try await a.register(procedure) { invocation in
                    let sum = invocation.args.compactMap(\.int64Value).reduce(0, +)
                    printLine("A: \(procedure) invoked with \(invocation.args), answers \(sum)")
                    return WAMPResult(args: [.integer(sum)])
                }
                printLine("\n== B calls \(procedure)(2, 3) ==")
                let result = try await b.call(procedure, args: [2, 3])
                printLine("B: call result \(result.args)")

                printLine("\n== B subscribes to \(topic) ==")
                let subscription = try await b.subscribe(topic)
                printLine("\n== A publishes to \(topic) (acknowledged) ==")
                try await a.publish(topic, args: ["tick", 3.5, true], kwargs: ["sum": result.args.first ?? .null], acknowledge: true)
                var events = subscription.makeAsyncIterator()
                guard let event = try await events.next() else { throw ValidationError("B's subscription ended without an event") }
                printLine("B: event \(event.args) \(event.kwargs)")
                printLine("\n== A leaves ==")
                return subscription
            }
            await shutdown()
            // The router's GOODBYE ends B's session, and with it the events.
            do {
                for try await _ in subscription {}
            } catch {
                printLine("B: session ended: \(error)")
            }
        }
    }

    /// Connects to `url`, joins realm1 as `name` (every message printed with `name`, the
    /// transport and the serializer), runs `body` with the session and leaves.
    static func withSession<Value>(
        url: String, serializer: any WAMPSerializer, name: String, _ body: (WAMPSession) async throws -> Value
    ) async throws -> Value {
        let parsed = try TransportURL(url: url)
        let transport = try await TransportDialer.connect(parsed, serializer: serializer)
        return try await withSession(joining: transport, name: name, transportName: parsed.transportName, body)
    }

    /// Joins realm1 over `transport` wrapped in a ``TranscriptTransport``, runs `body`, leaves.
    static func withSession<T: WAMPTransport, Value>(
        joining transport: T, name: String, transportName: String, _ body: (WAMPSession) async throws -> Value
    ) async throws -> Value {
        try await WAMPSession.withSession(
            joining: TranscriptTransport(transport, session: name, transport: transportName), realm: "realm1"
        ) { session in
            printLine("\(name): joined as session \(await session.sessionID.map(String.init) ?? "?")")
            return try await body(session)
        }
    }

    /// The transport demo (`--transport`).
    func transportTranscript() async throws {
        let options = try SerializerOption.list(serializers)
        let server = try await RawSocketServer.bind(
            to: .tcp(host: "127.0.0.1", port: 0), serializers: options.map(\.serializer))
        let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: server.port ?? 0)
        print("RawSocket demo: server listening on \(endpoint), accepting \(options.map(\.rawValue).joined(separator: ", "))")
        // The server serves in a child task until it is shut down, when the transcript is done.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run(Self.serve) }

            for option in options {
                print("\n== \(option.rawValue) ==")
                let (pongs, pongSeen) = AsyncStream<Void>.makeStream()
                var logger = Logger(label: "demo.client") { _ in DemoLogHandler(onPong: { pongSeen.yield() }) }
                logger.logLevel = .trace
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [option.serializer], logger: logger)
                let request = RawSocketHandshake.Request(maxLength: connection.maxReceiveLength, serializer: connection.serializer.id.rawSocketValue)
                let reply = RawSocketHandshake.Reply.accepted(maxLength: connection.maxSendLength, serializer: connection.serializer.id.rawSocketValue)
                print("client → server  handshake \(hex(request.encoded))  (client accepts up to \(connection.maxReceiveLength) octets, asks for \(connection.serializer.id))")
                print("server → client  handshake \(hex(reply.encoded))  (server accepts up to \(connection.maxSendLength) octets, serializer echoed)")

                var inbound = connection.inbound.makeAsyncIterator()
                func send(_ message: WAMPMessage) async throws {
                    try await connection.send(message)
                    print("client → server  \(try frameSummary(message, connection.serializer))\n                 \(message)")
                }
                func receive() async throws -> WAMPMessage {
                    guard let message = try await inbound.next() else { throw ValidationError("the server closed") }
                    print("server → client  \(try frameSummary(message, connection.serializer))\n                 \(message)")
                    return message
                }

                try await send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:], "subscriber": [:]]])))
                _ = try await receive()
                try await send(.subscribe(.init(request: 1, topic: "com.example.tick")))
                _ = try await receive()
                try await send(.call(.init(request: 2, procedure: "com.example.add", payload: .arguments([2, 3], [:]))))
                _ = try await receive()
                _ = try await receive()
                try await connection.checkHeartbeat()
                for await _ in pongs { break }  // the transcript shows the PONG before going on
                try await send(.goodbye(.init(reason: WAMPURI.closeNormal)))
                _ = try await receive()
                try await connection.close()
            }
            await server.shutdown()
        }
        print("\ndone: both serializers negotiated, messages round-tripped, PING answered")
    }

    /// A tiny router stand-in: WELCOME for HELLO, SUBSCRIBED for SUBSCRIBE, RESULT (the sum)
    /// and an EVENT for CALL, GOODBYE for GOODBYE.
    @Sendable static func serve(_ connection: RawSocketConnection) async throws {
        for try await message in connection.inbound {
            switch message {
            case .hello:
                try await connection.send(.welcome(.init(session: 4_242_424_242, details: ["roles": ["dealer": [:], "broker": [:]]])))
            case .subscribe(let subscribe):
                try await connection.send(.subscribed(.init(request: subscribe.request, subscription: 7)))
            case .call(let call):
                let sum = call.args.compactMap(\.int64Value).reduce(0, +)
                try await connection.send(.result(.init(request: call.request, payload: .arguments([.integer(sum)], [:]))))
                try await connection.send(.event(.init(
                    subscription: 7, publication: 99, details: ["topic": "com.example.tick"],
                    payload: .arguments(["tick", 3.5, true, .binary([0xCA, 0xFE])], ["sum": .integer(sum)]))))
            case .goodbye:
                try await connection.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            default:
                break
            }
        }
    }
}

/// "MESSAGE frame, 23 octets: 93 01 a6 72 65 61 ..."
private func frameSummary(_ message: WAMPMessage, _ serializer: any WAMPSerializer) throws -> String {
    let bytes: [UInt8] = try serializer.serialize(message)
    var text = "MESSAGE frame, \(bytes.count) octets: "
    if serializer.isBinary {
        text += bytes.prefix(24).map { hexByte($0) }.joined(separator: " ") + (bytes.count > 24 ? " ..." : "")
    } else {
        text += String(decoding: bytes.prefix(72), as: UTF8.self) + (bytes.count > 72 ? "..." : "")
    }
    return text
}

private func hex(_ word: UInt32) -> String {
    (0 ..< 4).map { hexByte(UInt8(truncatingIfNeeded: word >> (24 - 8 * $0))) }.joined(separator: " ")
}

private func hexByte(_ byte: UInt8) -> String {
    byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
}

/// Prints the transport's PING and PONG log lines as transcript lines.
struct DemoLogHandler: LogHandler {
    let onPong: @Sendable () -> Void
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch event.message.description {
        case "RawSocket PING sent": print("client → server  PING frame, 8 octets (keepalive, sent by hand with checkHeartbeat())")
        case "RawSocket PONG received":
            print("server → client  PONG frame, 8 octets (the PING's payload echoed)")
            onPong()
        default: break
        }
    }
}
