import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Synchronization
import Testing
import Transport
import UniversalServer
import WebSocketTransport

/// A WebSocket connection with a timeout on every receive, read through one iterator.
///
/// `@unchecked Sendable`: the iterator is only touched by `receive`, which the `receiving`
/// flag (a mutex) admits one caller at a time, as in ``InteropConnection``.
final class WebSocketInteropConnection: @unchecked Sendable {
    let connection: WebSocketConnection
    private var iterator: WAMPMessageSequence.AsyncIterator
    private let receiving = Mutex(false)

    init(_ connection: WebSocketConnection) {
        self.connection = connection
        self.iterator = connection.inbound.makeAsyncIterator()
    }

    static func connect(to endpoint: WebSocketEndpoint, _ serializer: InteropSerializer) async throws -> WebSocketInteropConnection {
        let connection = try await withTimeout(InteropTimeouts.message, "connecting to \(endpoint) with \(serializer)") {
            try await WebSocketClient.connect(to: endpoint, serializers: [serializer.serializer])
        }
        return WebSocketInteropConnection(connection)
    }

    func send(_ message: WAMPMessage) async throws {
        let connection = self.connection
        try await withTimeout(InteropTimeouts.message, "sending \(message.type)") { try await connection.send(message) }
    }

    /// The next message within the message timeout.
    func receive(_ what: String) async throws -> WAMPMessage {
        let busy = receiving.withLock { busy in
            defer { busy = true }
            return busy
        }
        guard !busy else { throw PeerFailure("a previous receive is still pending (it timed out)") }
        let message = try await withTimeout(InteropTimeouts.message, "waiting for \(what)") {
            defer { self.receiving.withLock { $0 = false } }
            return try await self.iterator.next()
        }
        guard let message else { throw PeerFailure("the connection closed while waiting for \(what)") }
        return message
    }

    func close() async {
        let connection = self.connection
        _ = try? await withTimeout(InteropTimeouts.message, "closing the connection") { try await connection.close() }
    }
}

/// Runs `body` with our WebSocket echo server on 127.0.0.1 at `/ws`.
func withWebSocketEchoServer<T: Sendable>(
    configuration: WebSocketConfiguration = .init(), _ body: (WebSocketServer) async throws -> T
) async throws -> T {
    let server = try await WebSocketServer.bind(
        to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"),
        serializers: InteropSerializer.allSerializers, configuration: configuration)
    let task = Task {
        try await server.run { connection in
            for try await message in connection.inbound { try await connection.send(message) }
        }
    }
    defer { task.cancel() }
    do {
        let result = try await body(server)
        _ = try? await withTimeout(InteropTimeouts.message, "shutting our server down") { await server.shutdown() }
        return result
    } catch {
        _ = try? await withTimeout(InteropTimeouts.message, "shutting our server down") { await server.shutdown() }
        throw error
    }
}

@Suite(
    "WebSocket with Autobahn|Python",
    .enabled(if: PeerEnvironment.autobahnTestsEnabled, "no Python with autobahn: \(PeerEnvironment.installHint)"),
    .serialized
)
struct AutobahnWebSocketTests {
    @Test("our client against an Autobahn WebSocket server: subprotocol negotiated, typed messages echoed equal",
          arguments: InteropSerializer.allCases)
    func ourClientAutobahnServer(_ serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        try await withPeer(python, [PeerEnvironment.peerScript("autobahn_websocket.py"), "server"]) { peer in
            let line = try await peer.waitForLine(startingWith: "listening on ", timeout: InteropTimeouts.pythonStart)
            let port = try #require(Int(line.dropFirst("listening on ".count)))
            let connection = try await WebSocketInteropConnection.connect(
                to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws"), serializer)
            #expect(connection.connection.subprotocol == "wamp.2.\(serializer.name)")
            for message in AutobahnServerTests.messages {
                try await connection.send(message)
                #expect(try await connection.receive("the echo of \(message.type)") == message, "\(peer.transcript)")
            }
            await connection.close()
        }
    }

    @Test("messages Autobahn splits into 1000-octet frames are reassembled by our client", arguments: InteropSerializer.allCases)
    func fragmentedByAutobahn(_ serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        try await withPeer(python, [PeerEnvironment.peerScript("autobahn_websocket.py"), "server", "--fragment", "1000"]) { peer in
            let line = try await peer.waitForLine(startingWith: "listening on ", timeout: InteropTimeouts.pythonStart)
            let port = try #require(Int(line.dropFirst("listening on ".count)))
            let connection = try await WebSocketInteropConnection.connect(
                to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws"), serializer)
            // About 20 and 100 frames: a text (JSON) and a binary (MessagePack) payload.
            let message = WAMPMessage.event(.init(
                subscription: 1, publication: 2,
                payload: .arguments([.string(String(repeating: "ü", count: 10_000)), .binary(testBytes(count: 60_000))], [:])))
            try await connection.send(message)
            #expect(try await connection.receive("the fragmented echo") == message, "\(peer.transcript)")
            await connection.close()
        }
    }

    @Test("an Autobahn WebSocket client against our server: its messages come back equal, type for type",
          arguments: InteropSerializer.allCases)
    func autobahnClientOurServer(_ serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        try await withWebSocketEchoServer { server in
            let arguments = [
                PeerEnvironment.peerScript("autobahn_websocket.py"), "client", "--port", String(server.port ?? 0),
                "--serializer", serializer.name,
            ]
            try await withPeer(python, arguments) { client in
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                #expect(status == 0, "\(client.transcript)")
                #expect(client.stdout.contains("subprotocol wamp.2.\(serializer.name)"), "\(client.transcript)")
                #expect(client.stdout.contains("RESULT passed=7 failed=0"), "\(client.transcript)")
            }
        }
    }

    @Test("an Autobahn WebSocket client sending over our limit is closed with code 1009")
    func autobahnClientOversize() async throws {
        let python = try PeerEnvironment.requirePython()
        try await withWebSocketEchoServer(configuration: .init { $0.maxReceiveLength = 65536 }) { server in
            let arguments = [
                PeerEnvironment.peerScript("autobahn_websocket.py"), "client", "--port", String(server.port ?? 0),
                "--serializer", "json", "--oversize", "70000",
            ]
            try await withPeer(python, arguments) { client in
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                #expect(status == 0, "\(client.transcript)")
                #expect(client.stdout.contains("oversize closed code=1009"), "\(client.transcript)")
            }
        }
    }

    @Test("Autobahn RawSocket and WebSocket clients against our universal server on one port",
          arguments: InteropSerializer.allCases)
    func universalServer(_ serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        let server = try await WAMPUniversalServer.bind(
            to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"),
            serializers: InteropSerializer.allSerializers)
        let task = Task {
            try await server.run { connection in
                switch connection {
                case .rawSocket(let c): for try await m in c.inbound { try await c.send(m) }
                case .webSocket(let c): for try await m in c.inbound { try await c.send(m) }
                }
            }
        }
        defer { task.cancel() }
        let port = String(server.port ?? 0)
        try await withPeer(python, [PeerEnvironment.peerScript("autobahn_client.py"), "--port", port, "--serializer", serializer.name]) { client in
            let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
            #expect(status == 0, "\(client.transcript)")
            #expect(client.stdout.contains("RESULT passed=7 failed=0"), "\(client.transcript)")
        }
        try await withPeer(python, [PeerEnvironment.peerScript("autobahn_websocket.py"), "client", "--port", port, "--serializer", serializer.name]) { client in
            let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
            #expect(status == 0, "\(client.transcript)")
            #expect(client.stdout.contains("RESULT passed=7 failed=0"), "\(client.transcript)")
        }
        _ = try? await withTimeout(InteropTimeouts.message, "shutting our server down") { await server.shutdown() }
    }
}

// In the Crossbar suite (an extension), so that they share its router and its serialization:
// the suite stops the router when it ends.
extension CrossbarTests {
    @Test("WebSocket: a session over WebSocket receives the event a RawSocket session published", arguments: InteropSerializer.allCases)
    func crossTransportPubSub(_ serializer: InteropSerializer) async throws {
        let endpoints = try await CrossbarRouter.shared.endpoints()
        let ws = try await WebSocketInteropConnection.connect(to: endpoints.webSocket, serializer)
        #expect(ws.connection.subprotocol == "wamp.2.\(serializer.name)")
        try await ws.send(.hello(.init(realm: "realm1", details: ["roles": ["subscriber": [:]]])))
        guard case .welcome = try await ws.receive("WELCOME") else { throw PeerFailure("no WELCOME over WebSocket") }
        try await ws.send(.subscribe(.init(request: 1, topic: "interop.ws.topic")))
        guard case .subscribed(let subscribed) = try await ws.receive("SUBSCRIBED") else { throw PeerFailure("no SUBSCRIBED") }

        let publisher = try await RouterSession.join(endpoints.tcp, serializer, roles: ["publisher"])
        let payload = WAMPPayload.arguments(["over", .binary([0, 1, 255]), 42, 1.5], ["k": "v"])
        try await publisher.send(.publish(.init(request: 2, options: ["acknowledge": true], topic: "interop.ws.topic", payload: payload)))
        _ = try await publisher.expect("PUBLISHED") { m -> Bool? in if case .published = m { return true } else { return nil } }

        guard case .event(let event) = try await ws.receive("EVENT") else { throw PeerFailure("no EVENT over WebSocket") }
        #expect(event.subscription == subscribed.subscription)
        #expect(event.args == payload.args)
        #expect(event.kwargs == payload.kwargs)

        try await ws.send(.goodbye(.init(reason: WAMPURI.closeNormal)))
        guard case .goodbye = try await ws.receive("GOODBYE") else { throw PeerFailure("no GOODBYE") }
        await ws.close()
        await publisher.connection.close()
    }
}
