import JSONSerializer
import MsgPackSerializer
import NIOCore
import Testing
import TimeGuards
import Transport
import WebSocketTransport

/// Client and server over real sockets on 127.0.0.1.
@Suite("WebSocket loopback", .scaledTimeLimit(minutes: 1))
struct LoopbackTests {
    static let serializers: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer()]

    @Test("typed messages round-trip with each serializer, in the frame type of its subprotocol", arguments: ["json", "msgpack"])
    func echo(_ name: String) async throws {
        let serializer = try #require(Self.serializers.first { $0.id.name == name })
        try await withEchoServer(serializers: Self.serializers) { _, endpoint in
            try await WebSocketClient.withConnection(to: endpoint, serializers: [serializer]) { connection in
                #expect(connection.subprotocol == "wamp.2.\(name)")
                var iterator = connection.inbound.makeAsyncIterator()
                for message in sampleMessages {
                    try await connection.send(message)
                    #expect(try await iterator.next() == message)
                }
            }
        }
    }

    @Test("the server chooses the client's most preferred subprotocol it accepts")
    func negotiation() async throws {
        try await withEchoServer(serializers: [WAMPJSONSerializer()]) { _, endpoint in
            let connection = try await WebSocketClient.connect(
                to: endpoint, serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
            #expect(connection.serializer.id == .json)
            try await connection.close()
        }
        try await withEchoServer(serializers: Self.serializers) { _, endpoint in
            let connection = try await WebSocketClient.connect(
                to: endpoint, serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
            #expect(connection.serializer.id == .msgpack)
            try await connection.close()
        }
    }

    @Test("no common subprotocol, or another path, is refused with upgradeRefused")
    func refusals() async throws {
        try await withEchoServer(serializers: [WAMPJSONSerializer()]) { server, endpoint in
            await #expect { try await WebSocketClient.connect(to: endpoint, serializers: [WAMPMsgPackSerializer()]) } throws: {
                ($0 as? WebSocketError)?.code == .upgradeRefused
            }
            var other = endpoint
            other.path = "/other"
            await #expect { try await WebSocketClient.connect(to: other, serializers: [WAMPJSONSerializer()]) } throws: {
                // The message names the server's answer.
                ($0 as? WebSocketError)?.code == .upgradeRefused
                    && ($0 as? WebSocketError)?.message == "WebSocket upgrade refused: HTTP 404 Not Found"
            }
            // The server keeps serving.
            let connection = try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()])
            try await connection.send(sampleMessages[0])
            var iterator = connection.inbound.makeAsyncIterator()
            #expect(try await iterator.next() == sampleMessages[0])
            try await connection.close()
        }
    }

    @Test("a client over maxConnections is refused (HTTP 503) and the admitted one keeps working")
    func connectionLimit() async throws {
        let server = try await WebSocketServer.bind(
            to: .init(host: "127.0.0.1", port: 0, path: "/"), serializers: Self.serializers, maxConnections: 1)
        let task = Task { try await server.run { connection in for try await m in connection.inbound { try await connection.send(m) } } }
        let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: server.port ?? 0)
        let first = try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()])
        await #expect { try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()]) } throws: {
            ($0 as? WebSocketError)?.code == .upgradeRefused
                && ($0 as? WebSocketError)?.message == "WebSocket upgrade refused: HTTP 503 Service Unavailable"
        }
        try await first.send(sampleMessages[0])
        var iterator = first.inbound.makeAsyncIterator()
        #expect(try await iterator.next() == sampleMessages[0])
        try await first.close()
        await server.shutdown()
        _ = await task.result
    }

    @Test("a message over the server's limit makes it close with 1009")
    func oversize() async throws {
        try await withEchoServer(serializers: Self.serializers, configuration: .init { $0.maxReceiveLength = 1024 }) { _, endpoint in
            let connection = try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()])
            try await connection.send(.publish(.init(request: 1, topic: "t", payload: .arguments([.string(String(repeating: "x", count: 2000))], [:]))))
            await #expect {
                for try await _ in connection.inbound {}
            } throws: { error in
                let error = error as? WebSocketError
                return error?.code == .closedByPeer && error?.closeCode == 1009
            }
            try await connection.close()
        }
    }

    @Test("a message over this side's send limit is not sent and the connection stays usable")
    func sendLimit() async throws {
        try await withEchoServer(serializers: Self.serializers) { _, endpoint in
            let connection = try await WebSocketClient.connect(
                to: endpoint, serializers: [WAMPMsgPackSerializer()], configuration: .init { $0.maxSendLength = 100 })
            await #expect { try await connection.send(.publish(.init(request: 1, topic: "t", payload: .arguments([.binary(Array(repeating: 1, count: 200))], [:])))) } throws: {
                ($0 as? WebSocketError)?.code == .messageTooLarge
            }
            try await connection.send(sampleMessages[3])
            var iterator = connection.inbound.makeAsyncIterator()
            #expect(try await iterator.next() == sampleMessages[3])
            try await connection.close()
        }
    }

    @Test("large messages (1 MiB) round-trip")
    func largeMessages() async throws {
        try await withEchoServer(serializers: Self.serializers) { _, endpoint in
            try await WebSocketClient.withConnection(to: endpoint, serializers: [WAMPMsgPackSerializer()]) { connection in
                let message = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments([.binary(Array(repeating: 7, count: 1 << 20))], [:])))
                try await connection.send(message)
                var iterator = connection.inbound.makeAsyncIterator()
                #expect(try await iterator.next() == message)
            }
        }
    }

    @Test("the client's close ends the server's inbound sequence without an error")
    func clientClose() async throws {
        let server = try await WebSocketServer.bind(to: .init(host: "127.0.0.1", port: 0, path: "/"), serializers: Self.serializers)
        let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: server.port ?? 0)
        let (results, result) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await server.run { connection in
                var count = 0
                for try await _ in connection.inbound { count += 1 }
                result.yield(count)
            }
        }
        let connection = try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()])
        for message in sampleMessages { try await connection.send(message) }
        try await connection.close()
        for await count in results {
            #expect(count == sampleMessages.count)
            break
        }
        await server.shutdown()
        _ = await task.result
    }

    @Test("server shutdown closes clients with 1001: their inbound sequence ends")
    func shutdownClosesClients() async throws {
        let server = try await WebSocketServer.bind(to: .init(host: "127.0.0.1", port: 0, path: "/"), serializers: Self.serializers)
        let task = Task { try await server.run { connection in for try await _ in connection.inbound {} } }
        let connection = try await WebSocketClient.connect(
            to: WebSocketEndpoint(host: "127.0.0.1", port: server.port ?? 0), serializers: [WAMPJSONSerializer()])
        await server.shutdown()
        var received = 0
        for try await _ in connection.inbound { received += 1 }
        #expect(received == 0)
        _ = await task.result
    }

    @Test("wss:// with a trusted self-signed certificate round-trips; an untrusting client fails")
    func tls() async throws {
        let identity = try TestIdentity.make()
        try await withEchoServer(serializers: Self.serializers, configuration: .init { $0.tls = identity.server }) { _, endpoint in
            try await WebSocketClient.withConnection(
                to: endpoint, serializers: [WAMPMsgPackSerializer()],
                configuration: .init { $0.tls = identity.trustingClient; $0.serverHostname = "localhost" }
            ) { connection in
                try await connection.send(sampleMessages[1])
                var iterator = connection.inbound.makeAsyncIterator()
                #expect(try await iterator.next() == sampleMessages[1])
            }
            await #expect(throws: WebSocketError.self) {
                try await WebSocketClient.connect(
                    to: endpoint, serializers: [WAMPJSONSerializer()], configuration: .init { $0.serverHostname = "localhost" })
            }
        }
    }
}
