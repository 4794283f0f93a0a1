import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Synchronization
import Testing
import Transport

/// Our RawSocketServer with an echo handler, recording what it received.
final class RecordingEchoServer: Sendable {
    private final class Recorder: Sendable {
        let state = Mutex<(serializations: [WAMPSerializerID], messages: [WAMPMessage])>(([], []))
    }

    let server: RawSocketServer
    private let runTask: Task<Void, any Error>
    private let recorder: Recorder

    /// The serialization of each connection, in order.
    var serializations: [WAMPSerializerID] { recorder.state.withLock { $0.serializations } }
    /// Every message received, in order.
    var messages: [WAMPMessage] { recorder.state.withLock { $0.messages } }
    var port: Int { server.port ?? 0 }

    init(serializers: [any WAMPSerializer], configuration: RawSocketConfiguration) async throws {
        let server = try await withTimeout(InteropTimeouts.message, "binding our server") {
            try await RawSocketServer.bind(
                to: .tcp(host: "127.0.0.1", port: 0), serializers: serializers, configuration: configuration)
        }
        let recorder = Recorder()
        self.server = server
        self.recorder = recorder
        self.runTask = Task {
            try await server.run { connection in
                recorder.state.withLock { $0.serializations.append(connection.serializer.id) }
                for try await message in connection.inbound {
                    recorder.state.withLock { $0.messages.append(message) }
                    try await connection.send(message)
                }
            }
        }
    }

    func shutdown() async {
        let server = self.server
        let runTask = self.runTask
        _ = try? await withTimeout(InteropTimeouts.message, "shutting our server down") { await server.shutdown() }
        runTask.cancel()
        _ = try? await withTimeout(InteropTimeouts.message, "our server's run loop to end") { try await runTask.value }
    }
}

/// Runs `body` with our echo server, shutting it down afterwards.
func withRecordingEchoServer<T: Sendable>(
    serializers: [any WAMPSerializer], configuration: RawSocketConfiguration = interopRawSocketConfiguration,
    _ body: (RecordingEchoServer) async throws -> T
) async throws -> T {
    let server = try await RecordingEchoServer(serializers: serializers, configuration: configuration)
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

@Suite(
    "An Autobahn|Python asyncio RawSocket client against our server",
    .enabled(if: PeerEnvironment.autobahnTestsEnabled, "no Python with autobahn: \(PeerEnvironment.installHint)"),
    .serialized
)
struct AutobahnClientTests {
    @Test("the Autobahn client's messages come back equal, type for type; it respects our announced limit",
          arguments: InteropSerializer.allCases)
    func autobahnClientEcho(_ serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        var configuration = RawSocketConfiguration()
        configuration.maxReceiveLength = 65536
        try await withRecordingEchoServer(
            serializers: InteropSerializer.allSerializers, configuration: configuration
        ) { server in
            let arguments = [
                PeerEnvironment.peerScript("autobahn_client.py"), "--port", String(server.port),
                "--serializer", serializer.name, "--oversize", "70000",
            ]
            try await withPeer(python, arguments) { client in
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                let output = client.stdout
                #expect(status == 0, "\(client.transcript)")
                // The limit our server announced, as Autobahn read it from the handshake.
                #expect(output.contains("limits send=65536 "), "\(client.transcript)")
                #expect(output.contains("oversize refused: "), "\(client.transcript)")
                #expect(output.contains("RESULT passed=9 failed=0"), "\(client.transcript)")
            }

            #expect(server.serializations == [serializer.serializer.id])
            let messages = server.messages
            // Seven messages, the one after the refused oversize one, nothing else.
            #expect(messages.map(\.type) == [.call, .event, .publish, .result, .error, .subscribe, .goodbye, .call])
            guard case .call(let call)? = messages.first else {
                Issue.record("the first message is not a CALL: \(messages)")
                return
            }
            #expect(call.procedure == "com.example.add")
            #expect(call.args == [
                2, 3, -7, .integer(1 << 53), 1.5, "text ünïcødé", true, false, nil, [1, [2, "x"]], ["a": 1],
                .binary([0, 1, 255]),
            ])
            #expect(call.kwargs == [
                "bin": .binary(Array(0 ... 255)), "empty": .binary([]), "n": 7_814_135, "f": 0.25,
                "nested": ["l": [.binary([0]), "s"]],
            ])
            if case .result(let result) = messages[3] {
                #expect(result.args == [.binary(Array(repeating: Array(0 ... 255), count: 4).flatMap { $0 })])
            } else {
                Issue.record("the fourth message is not a RESULT: \(messages[3])")
            }
        }
    }

    @Test("an Autobahn client asking for a serializer our server does not accept gets error reply 1")
    func unsupportedSerializer() async throws {
        let python = try PeerEnvironment.requirePython()
        try await withRecordingEchoServer(serializers: [WAMPJSONSerializer()]) { server in
            let arguments = [
                PeerEnvironment.peerScript("autobahn_client.py"), "--port", String(server.port), "--serializer", "msgpack",
            ]
            try await withPeer(python, arguments) { client in
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                #expect(status == 3, "\(client.transcript)")
                #expect(client.stdout.contains("handshake refused: code=1 "), "\(client.transcript)")
                #expect(client.stdout.contains("serializer unsupported"), "\(client.transcript)")
            }
            #expect(server.messages.isEmpty)
            #expect(server.serializations.isEmpty)
        }
    }
}
