import RawSocketTransport
import Testing
import Transport

/// An Autobahn|Python asyncio RawSocket server (`Peers/autobahn_echo_server.py`) that echoes
/// WAMP messages, started by the test on 127.0.0.1 with a port the system chose.
struct AutobahnEchoServer: Sendable {
    let peer: PeerProcess
    let port: Int
    var endpoint: RawSocketEndpoint { .tcp(host: "127.0.0.1", port: port) }

    /// Starts the server, runs `body`, stops the server.
    static func with<T: Sendable>(
        maxMessageSize: Int? = nil, serializers: [InteropSerializer] = InteropSerializer.allCases,
        _ body: (AutobahnEchoServer) async throws -> T
    ) async throws -> T {
        let python = try PeerEnvironment.requirePython()
        var arguments = [PeerEnvironment.peerScript("autobahn_echo_server.py")]
        if let maxMessageSize { arguments += ["--max-message-size", String(maxMessageSize)] }
        arguments += ["--serializers", serializers.map(\.name).joined(separator: ",")]
        return try await withPeer(python, arguments) { peer in
            let line = try await peer.waitForLine(startingWith: "listening on ", timeout: InteropTimeouts.pythonStart)
            guard let port = Int(line.dropFirst("listening on ".count)) else {
                throw PeerFailure("unexpected line \"\(line)\"\n\(peer.transcript)")
            }
            do {
                return try await body(AutobahnEchoServer(peer: peer, port: port))
            } catch {
                throw PeerFailure("\(error)\n\(peer.transcript)")
            }
        }
    }
}

@Suite(
    "Our client against an Autobahn|Python asyncio RawSocket server",
    .enabled(if: PeerEnvironment.autobahnTestsEnabled, "no Python with autobahn: \(PeerEnvironment.installHint)"),
    .serialized
)
struct AutobahnServerTests {
    /// Typed messages of every kind the echo server relays, with every kind of value.
    static let messages: [WAMPMessage] = [
        .call(.init(
            request: 1, procedure: "com.example.add",
            payload: .arguments(
                [2, 3, -7, .integer(1 << 53), 1.5, "text ünïcødé", true, false, nil, [1, [2, "x"]], ["a": 1],
                 .binary([0, 1, 255])],
                ["bin": .binary(Array(0 ... 255)), "empty": .binary([]), "n": 7_814_135, "f": 0.25,
                 "nested": ["l": [.binary([0]), "s"]]]))),
        .event(.init(subscription: 5, publication: 6, payload: .arguments(["hello", .binary([0, 255])], ["k": "v"]))),
        .publish(.init(request: 7, options: ["acknowledge": true], topic: "com.example.topic",
                       payload: .arguments([1, "two"], [:]))),
        .result(.init(request: 8, payload: .arguments([.binary(testBytes(count: 1024))], ["ok": true]))),
        .error(.init(requestType: .call, request: 9, error: "com.example.error",
                     payload: .arguments(["e"], ["code": 42]))),
        .subscribe(.init(request: 10, topic: "com.example.topic")),
        .register(.init(request: 11, procedure: "com.example.add")),
        .invocation(.init(request: 12, registration: 13, payload: .arguments([.binary([7])], ["x": [1, 2]]))),
        .yield(.init(request: 12, payload: .arguments(["done"], [:]))),
        .goodbye(.init(reason: "wamp.close.normal")),
    ]

    @Test("handshake, then typed messages echoed equal", arguments: InteropSerializer.allCases)
    func typedEcho(_ serializer: InteropSerializer) async throws {
        try await AutobahnEchoServer.with(maxMessageSize: 65536) { server in
            try await withInteropConnection(to: server.endpoint, serializer) { connection in
                #expect(connection.serialization == serializer.serializer.id)
                #expect(connection.maxSendLength == 65536)
                for message in Self.messages {
                    try await connection.send(message)
                    let echo = try await connection.receive("the echo of \(message.type)")
                    #expect(echo == message)
                }
            }
        }
    }

    @Test("binary values arrive as Python bytes, and Python bytes arrive as binary", arguments: InteropSerializer.allCases)
    func binaryValues(_ serializer: InteropSerializer) async throws {
        try await AutobahnEchoServer.with { server in
            try await withInteropConnection(to: server.endpoint, serializer) { connection in
                let args: [WAMPValue] = [.binary([1, 2, 3]), .binary([]), .binary([0]), "text", 1, 1.5, true, nil, [.binary([9])], ["b": .binary([8])]]
                let kwargs: [String: WAMPValue] = ["blob": .binary(testBytes(count: 3000)), "s": "\u{1}not binary", "i": .integer(1 << 53)]
                try await connection.send(.call(.init(request: 1, procedure: "interop.types", payload: .arguments(args, kwargs))))
                let types = try await connection.receive("the RESULT of interop.types")
                #expect(types == .result(.init(request: 1, payload: .arguments(
                    ["bytes", "bytes", "bytes", "str", "int", "float", "bool", "NoneType", "list", "dict"],
                    ["blob": "bytes", "s": "str", "i": "int"]))))

                for count in [0, 1, 1000, 40000] {
                    try await connection.send(.call(.init(request: 2, procedure: "interop.bytes", payload: .arguments([.integer(Int64(count))], [:]))))
                    let bytes = try await connection.receive("the RESULT of interop.bytes \(count)")
                    let expected = (0 ..< count).map { UInt8($0 % 251) }
                    #expect(bytes == .result(.init(request: 2, payload: .arguments([.binary(expected)], [:]))))
                }
            }
        }
    }

    @Test("Autobahn's limit: a message of exactly maxSendLength passes, a longer one throws .messageTooLarge and the connection stays usable",
          arguments: InteropSerializer.allCases)
    func lengthLimit(_ serializer: InteropSerializer) async throws {
        try await AutobahnEchoServer.with(maxMessageSize: 65536) { server in
            try await withInteropConnection(to: server.endpoint, serializer) { connection in
                #expect(connection.maxSendLength == 65536)

                let exact = try call(request: 1, procedure: "com.example.big", serializedLength: 65536, serializer)
                try await connection.send(exact)
                #expect(try await connection.receive("the echo of a 65536-octet CALL") == exact)

                let over = try call(request: 2, procedure: "com.example.big", serializedLength: 65537, serializer)
                let error = await #expect(throws: RawSocketError.self) { try await connection.send(over) }
                #expect(error?.code == .messageTooLarge)

                let small = WAMPMessage.call(.init(request: 3, procedure: "com.example.after", payload: .arguments([.binary([1])], [:])))
                try await connection.send(small)
                #expect(try await connection.receive("the echo of a CALL after the refused one") == small)
            }
        }
    }

    @Test("Autobahn rounds its limit up to a power of two, and learns ours from our handshake")
    func limitsBothWays() async throws {
        try await AutobahnEchoServer.with(maxMessageSize: 40000) { server in
            var configuration = RawSocketConfiguration()
            configuration.maxReceiveLength = 1 << 20
            try await withInteropConnection(to: server.endpoint, .msgpack, configuration: configuration) { connection in
                #expect(connection.maxSendLength == 65536)
                try await connection.send(.call(.init(request: 1, procedure: "interop.limits")))
                let limits = try await connection.receive("the RESULT of interop.limits")
                #expect(limits == .result(.init(request: 1, payload: .arguments([.integer(1 << 20), 65536], [:]))))
            }
        }
    }

    @Test("Autobahn closing the connection ends our inbound sequence cleanly; a send afterwards throws")
    func peerCloses() async throws {
        try await AutobahnEchoServer.with { server in
            try await withInteropConnection(to: server.endpoint, .json) { connection in
                try await connection.send(.call(.init(request: 1, procedure: "interop.close")))
                try await connection.receiveEnd()
                let closed = connection.connection
                try await withTimeout(InteropTimeouts.message, "our side to see the connection closed") { await closed.closed }
                await #expect(throws: (any Error).self) {
                    try await connection.send(.call(.init(request: 2, procedure: "com.example.after")))
                }
            }
        }
    }

    @Test("asking Autobahn's server for a serializer it does not offer: connect fails, it does not hang")
    func serializerNotOffered() async throws {
        try await AutobahnEchoServer.with(serializers: [.json]) { server in
            // Autobahn|Python's asyncio server drops the connection without the error reply
            // (its supports_serializer() raises TransportLost before answering).
            let error = await #expect(throws: RawSocketError.self) {
                let connection = try await InteropConnection.connect(to: server.endpoint, .msgpack)
                await connection.close()
            }
            #expect(
                [RawSocketError.Code.unexpectedEndOfStream, .connectionClosed, .connectionFailed].contains(error?.code),
                "\(String(describing: error))")
        }
    }
}
