import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Testing
import TimeGuards
import Transport
import UniversalServer
import WebSocketTransport

/// RawSocket and WebSocket clients on one port.
@Suite("Universal server", .scaledTimeLimit(minutes: 1))
struct UniversalServerTests {
    static let serializers: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer()]

    static func echo<T: WAMPTransport>(_ transport: T) async throws {
        for try await message in transport.inbound { try await transport.send(message) }
    }

    @Test("a RawSocket and a WebSocket client are told apart by their first octet and both echoed")
    func bothOnOnePort() async throws {
        let server = try await WAMPUniversalServer.bind(
            to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"), serializers: Self.serializers)
        let (kinds, kind) = AsyncStream<String>.makeStream()
        let task = Task {
            try await server.run { connection in
                switch connection {
                case .rawSocket: kind.yield("rawsocket")
                case .webSocket: kind.yield("websocket")
                }
                try await Self.echo(connection.transport)
            }
        }
        let port = try #require(server.port)
        let rs = try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: port), serializers: [WAMPMsgPackSerializer()])
        let ws = try await WebSocketClient.connect(
            to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws"), serializers: [WAMPJSONSerializer()])
        for message in sampleMessages {
            try await rs.send(message)
            try await ws.send(message)
        }
        var rsIterator = rs.inbound.makeAsyncIterator()
        var wsIterator = ws.inbound.makeAsyncIterator()
        for message in sampleMessages {
            #expect(try await rsIterator.next() == message)
            #expect(try await wsIterator.next() == message)
        }
        var seen: Set<String> = []
        for await k in kinds {
            seen.insert(k)
            if seen.count == 2 { break }
        }
        #expect(seen == ["rawsocket", "websocket"])
        try await rs.close()
        try await ws.close()
        await server.shutdown()
        _ = await task.result
    }

    @Test("over TLS, rss:// and wss:// clients share the port as well")
    func bothOverTLS() async throws {
        let identity = try TestIdentity.make()
        let server = try await WAMPUniversalServer.bind(
            to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws", usesTLS: true), serializers: Self.serializers,
            webSocketConfiguration: .init { $0.tls = identity.server })
        let task = Task { try await server.run { connection in try await Self.echo(connection.transport) } }
        let port = try #require(server.port)
        let rs = try await RawSocketClient.connect(
            to: RawSocketEndpoint(.tcp(host: "127.0.0.1", port: port), usesTLS: true), serializers: [WAMPJSONSerializer()],
            configuration: .init { $0.tls = identity.trustingClient; $0.serverHostname = "localhost" })
        let ws = try await WebSocketClient.connect(
            to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws", usesTLS: true),
            serializers: [WAMPMsgPackSerializer()],
            configuration: .init { $0.tls = identity.trustingClient; $0.serverHostname = "localhost" })
        try await rs.send(sampleMessages[1])
        try await ws.send(sampleMessages[2])
        var rsIterator = rs.inbound.makeAsyncIterator()
        var wsIterator = ws.inbound.makeAsyncIterator()
        #expect(try await rsIterator.next() == sampleMessages[1])
        #expect(try await wsIterator.next() == sampleMessages[2])
        try await rs.close()
        try await ws.close()
        await server.shutdown()
        _ = await task.result
    }

    @Test("a RawSocket client asking for a serializer the server lacks is refused; WebSocket still works")
    func refusalDoesNotAffectOthers() async throws {
        let server = try await WAMPUniversalServer.bind(
            to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"), serializers: [WAMPJSONSerializer()])
        let task = Task { try await server.run { connection in try await Self.echo(connection.transport) } }
        let port = try #require(server.port)
        await #expect(throws: RawSocketError.self) {
            try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: port), serializers: [WAMPMsgPackSerializer()])
        }
        try await WebSocketClient.withConnection(
            to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws"), serializers: [WAMPJSONSerializer()]
        ) { connection in
            try await connection.send(sampleMessages[0])
            var iterator = connection.inbound.makeAsyncIterator()
            #expect(try await iterator.next() == sampleMessages[0])
        }
        await server.shutdown()
        _ = await task.result
    }
}
