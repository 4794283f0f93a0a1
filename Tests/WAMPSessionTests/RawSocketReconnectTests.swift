import JSONSerializer
import RawSocketTransport
import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Reconnection over RawSocket", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct RawSocketReconnectTests {
    @Test("the router stops and comes back on the same port: failed attempts are reported, then the session re-joins and its subscription gets events again")
    func reconnectAfterRouterRestart() async throws {
        let first = try await MiniRouter.start(session: 1)
        let port = first.port
        var configuration = WAMPSession.Configuration()
        configuration.reconnect = WAMPReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        var second: MiniRouter?
        try await WAMPSession.withSession(realm: "realm1", configuration: configuration) {
            try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: port), serializers: [WAMPJSONSerializer()])
        } _: { session in
            var lifecycle = session.lifecycle.makeAsyncIterator()
            #expect(await lifecycle.next() == .joined(session: 1))
            let events = try await session.subscribe("com.example.topic")
            var iterator = events.makeAsyncIterator()
            try await first.publish(["before"])
            #expect(try await iterator.next()?.args == ["before"])

            await first.stop()
            var sawDisconnect = false
            var failures = 0
            while let step = await lifecycle.next() {
                if case .disconnected = step { sawDisconnect = true }
                if case .reconnectFailed = step { failures += 1 }
                if failures == 1 { break }
            }
            #expect(sawDisconnect)

            let restarted = try await MiniRouter.start(port: port, session: 2)
            second = restarted
            while let step = await lifecycle.next() {
                if case .restored(let subscriptions, _) = step {
                    #expect(subscriptions == 1)
                    break
                }
            }
            #expect(await session.sessionID == 2)
            try await restarted.publish(["after"])
            #expect(try await iterator.next()?.args == ["after"])
        }
        await second?.stop()
    }
}
