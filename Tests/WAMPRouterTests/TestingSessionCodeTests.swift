// The example of the WAMPTesting catalog (Sources/WAMPTesting/WAMPTesting.docc/TestingSessionCode.md),
// compiled and run, so that the article cannot drift from the API: an application's session
// code tested against the embedded router on in-memory connections, with no network.

import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPSession
import WAMPTesting

/// The application's code under test: a service that adds numbers and announces each total.
private func serveAdder(on session: WAMPSession) async throws {
    try await session.register("com.example.add") { invocation in
        let total = try invocation.decode([Int].self).reduce(0, +)
        try await session.publish("com.example.total", args: [.integer(Int64(total))])
        return total
    }
}

/// Runs `body` with a function that opens in-memory connections to one embedded router; every
/// connection is closed and served to its end before this returns.
private func withRouter(_ body: (_ connect: () -> InMemoryTransport) async throws -> Void) async throws {
    let router = WAMPRouter()
    let (accepted, accept) = AsyncStream.makeStream(of: InMemoryTransport.self)
    var clients: [InMemoryTransport] = []
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask {
            await withDiscardingTaskGroup { served in
                for await server in accepted { served.addTask { await router.serve(server) } }
            }
        }
        let connect = {
            let (client, server) = InMemoryTransport.makePair()
            clients.append(client)
            accept.yield(server)
            return client
        }
        do {
            try await body(connect)
        } catch {
            for client in clients { try? await client.close() }
            accept.finish()
            throw error
        }
        for client in clients { try await client.close() }
        accept.finish()
    }
}

@Suite("Testing session code against the embedded router", .scaledTimeLimit(minutes: 1))
struct TestingSessionCodeTests {
    @Test("an application's service, called and subscribed to through an in-process router, answers and announces")
    func serviceThroughEmbeddedRouter() async throws {
        try await withRouter { connect in
            try await WAMPSession.withSession(joining: connect(), realm: "realm1") { service in
                try await serveAdder(on: service)

                try await WAMPSession.withSession(joining: connect(), realm: "realm1") { client in
                    let totals = try await client.subscribe("com.example.total")
                    let sum: Int = try await client.call("com.example.add", 2, 3)
                    #expect(sum == 5)
                    for try await event in totals {
                        #expect(event.args == [5])
                        break
                    }
                }
            }
        }
    }
}
