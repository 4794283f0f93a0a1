import Synchronization
import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Reconnection", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct ReconnectTests {
    @Test("the backoff grows exponentially up to the cap; jitter stays within its fraction")
    func backoff() {
        let policy = WAMPReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(policy.delay(beforeAttempt: 1, random: 0.5) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 2, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(beforeAttempt: 4, random: 0.5) == .milliseconds(800))
        #expect(policy.delay(beforeAttempt: 5, random: 0.5) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 50, random: 0.5) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 1, random: 0) == .milliseconds(50))
        #expect(policy.delay(beforeAttempt: 1, random: 1) == .milliseconds(150))
    }

    @Test("after the transport drops: reconnect, join again, restore the subscription and the registration; life cycle observable")
    func reconnectRestores() async throws {
        let transports = Mutex<[FakeTransport]>([])
        let (created, createdContinuation) = AsyncStream.makeStream(of: FakeTransport.self)
        var configuration = WAMPSession.Configuration()
        configuration.reconnect = WAMPReconnectPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        try await WAMPSession.withSession(realm: "realm1", configuration: configuration) {
            let transport = transports.withLock { transports in
                let transport = FakeTransport(welcome: WAMPID(transports.count + 1))
                transports.append(transport)
                return transport
            }
            createdContinuation.yield(transport)
            return transport
        } _: { session in
            var newTransports = created.makeAsyncIterator()
            let first = try #require(await newTransports.next())
            try await first.router.expectHello()
            var lifecycle = session.lifecycle.makeAsyncIterator()
            #expect(await lifecycle.next() == .joined(session: 1))

            async let subscription = session.subscribe("com.example.topic")
            let subscribe = try await first.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
            first.router.send(.subscribed(.init(request: subscribe.request, subscription: 100)))
            let events = try await subscription
            async let registration = session.register("com.example.proc") { invocation in
                WAMPResult(args: invocation.args)
            }
            let register = try await first.router.expect("REGISTER") { if case .register(let r) = $0 { r } else { nil } }
            first.router.send(.registered(.init(request: register.request, registration: 200)))
            _ = try await registration

            first.drop()
            let second = try #require(await newTransports.next())
            let hello = try await second.router.expectHello()
            #expect(hello.realm == "realm1")
            let resubscribe = try await second.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
            #expect(resubscribe.topic == "com.example.topic")
            #expect(resubscribe.request == 1)
            second.router.send(.subscribed(.init(request: resubscribe.request, subscription: 101)))
            let reregister = try await second.router.expect("REGISTER") { if case .register(let r) = $0 { r } else { nil } }
            #expect(reregister.procedure == "com.example.proc")
            second.router.send(.registered(.init(request: reregister.request, registration: 201)))

            var steps: [WAMPSessionEvent] = []
            while let step = await lifecycle.next() {
                if case .reconnecting = step { steps.append(.reconnecting(attempt: 1, delay: .zero)) } else { steps.append(step) }
                if case .restored = step { break }
            }
            #expect(steps.first.map { if case .disconnected = $0 { true } else { false } } == true)
            #expect(steps.dropFirst().first == .reconnecting(attempt: 1, delay: .zero))
            #expect(steps.suffix(2) == [.joined(session: 2), .restored(subscriptions: 1, registrations: 1)])
            #expect(await session.sessionID == 2)

            // The same subscription sequence and handler serve the new session.
            second.router.send(.event(.init(subscription: 101, publication: 9, payload: .arguments(["again"], [:]))))
            var iterator = events.makeAsyncIterator()
            #expect(try await iterator.next()?.args == ["again"])
            second.router.send(.invocation(.init(request: 5, registration: 201, payload: .arguments([42], [:]))))
            let yield = try await second.router.expect("YIELD") { if case .yield(let y) = $0 { y } else { nil } }
            #expect(yield.args == [42])
        }
        #expect(transports.withLock { $0.count } == 2)
    }

    @Test("the connector failing on the first connection: withSession throws its error, the body never runs")
    func firstConnectFails() async throws {
        struct Refused: Error {}
        var configuration = WAMPSession.Configuration()
        configuration.reconnect = WAMPReconnectPolicy(initialDelay: .milliseconds(10))
        await #expect(throws: Refused.self) {
            try await WAMPSession.withSession(realm: "realm1", configuration: configuration) { () -> any WAMPTransport in
                throw Refused()
            } _: { _ in
                Issue.record("the body ran")
            }
        }
    }

    @Test("without a reconnect policy a drop ends the session: subscriptions throw .connectionLost")
    func noReconnect() async throws {
        try await withJoinedSession { session, transport in
            async let subscription = session.subscribe("com.example.t")
            let subscribe = try await transport.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
            transport.router.send(.subscribed(.init(request: subscribe.request, subscription: 1)))
            let events = try await subscription
            transport.drop()
            let error = await #expect(throws: WAMPSessionError.self) { for try await _ in events {} }
            #expect(error?.code == .connectionLost)
        }
    }
}
