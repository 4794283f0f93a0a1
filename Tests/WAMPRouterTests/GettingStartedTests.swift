// The code of the Getting Started articles of WAMPSession and WAMPRouter
// (Sources/WAMPSession/WAMPSession.docc/GettingStarted.md,
// Sources/WAMPRouter/WAMPRouter.docc/GettingStarted.md) and of the README's ten-line session,
// compiled and run, so that they cannot drift from the API. The router listens on a free port in
// place of the articles' 8080.

import JSONSerializer
import Logging
import RawSocketTransport
import ServiceLifecycle
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPSession

@Suite("The Getting Started articles of WAMPSession and WAMPRouter", .scaledTimeLimit(minutes: 1))
struct GettingStartedTests {
    @Test("the ten-line session joins the embedded router over RawSocket, calls its own procedure and gets its own event")
    func tenLineSessionThroughEmbeddedRouter() async throws {
        // The router article: a router served on a RawSocket server, both run as services.
        let logger = Logger(label: "router")
        let router = WAMPRouter(configuration: .init(realms: ["realm1"]))
        let server = try await RawSocketServer.bind(
            to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPJSONSerializer()]
        ) { connection in
            await router.serve(connection)
        }
        let services = ServiceGroup(services: [server, router], gracefulShutdownSignals: [], logger: logger)
        let port = try #require(server.port)

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await services.run() }

            // The session article and the README.
            let transport = try await RawSocketClient.connect(
                to: try RawSocketEndpoint(url: "rs://127.0.0.1:\(port)"), serializers: [WAMPJSONSerializer()])
            try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
                try await session.register("com.example.add") { invocation in try invocation.decode([Int].self).reduce(0, +) }
                let sum: Int = try await session.call("com.example.add", 2, 3)
                let ticks = try await session.subscribe("com.example.tick")
                try await session.publish("com.example.tick", args: [1], acknowledge: true, options: ["exclude_me": false])
                for try await event in ticks {
                    #expect(sum == 5)
                    #expect(event.args == [1])
                    break
                }
            }

            await services.triggerGracefulShutdown()
        }
    }
}
