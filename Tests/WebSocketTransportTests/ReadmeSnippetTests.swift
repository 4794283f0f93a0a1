import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Testing
import TimeGuards
import Transport

/// The README's first client, run against a scripted router that answers the CALL with
/// `wamp.error.no_such_procedure` (nothing registered `com.example.add`). Before the fix, the
/// snippet sent CALL before WELCOME and never left its loop on an ERROR.
@Suite("README snippets", .scaledTimeLimit(minutes: 1))
struct ReadmeSnippetTests {
    /// The README's snippet, with the endpoint of the test's router. Returns what it printed.
    static func readmeClient(_ endpoint: RawSocketEndpoint) async throws -> String {
        var printed = ""
        try await RawSocketClient.withConnection(to: endpoint, serializers: [WAMPMsgPackSerializer()]) { connection in
            try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
            for try await message in connection.inbound {
                switch message {
                case .welcome:
                    try await connection.send(.call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3], [:]))))
                case .result(let result):
                    printed = "\(result.payload.args)"
                    return
                case .error(let error):
                    printed = error.error
                    return
                case .abort(let abort):
                    printed = abort.reason
                    return
                default:
                    continue
                }
            }
        }
        return printed
    }

    @Test("The README's client waits for WELCOME, calls, and returns on the router's ERROR")
    func readmeClientFinishesOnError() async throws {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPMsgPackSerializer()])
        let router = Task {
            try await server.run { connection in
                var welcomed = false
                for try await message in connection.inbound {
                    switch message {
                    case .hello:
                        welcomed = true
                        try await connection.send(.welcome(.init(session: 1, details: ["roles": ["dealer": [:]]])))
                    case .call(let call):
                        // A CALL before WELCOME breaks the protocol: the router aborts.
                        guard welcomed else {
                            try await connection.send(.abort(.init(reason: "wamp.error.protocol_violation")))
                            return
                        }
                        try await connection.send(.error(.init(
                            requestType: .call, request: call.request, error: "wamp.error.no_such_procedure")))
                    default:
                        continue
                    }
                }
            }
        }
        let printed = try await Self.readmeClient(.tcp(host: "127.0.0.1", port: server.port!))
        #expect(printed == "wamp.error.no_such_procedure")
        await server.shutdown()
        _ = await router.result
    }
}
