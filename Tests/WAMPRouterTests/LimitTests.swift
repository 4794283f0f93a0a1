import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

@Suite("Limits and misbehaving clients", .scaledTimeLimit(minutes: 1))
struct LimitTests {
    static func configuration(_ change: (inout WAMPRouter.Limits) -> Void) -> WAMPRouter.Configuration {
        var configuration = WAMPRouter.Configuration()
        change(&configuration.limits)
        return configuration
    }

    /// Runs `body` with a router whose sessions may queue `queueLength` messages, on in-memory
    /// connections that buffer 2, and a short close grace period.
    static func withSmallQueues(_ queueLength: Int, _ body: (RouterHarness) async throws -> Void) async throws {
        var configuration = Self.configuration { $0.outboundQueueLength = queueLength }
        configuration.closeGracePeriod = .milliseconds(50)
        var transport = InMemoryTransport.Configuration()
        transport.bufferedMessages = 2
        try await RouterHarness.run(configuration, transport: transport, body)
    }

    @Test("subscriptions over the per-session limit are refused; subscribing again to one held is not")
    func subscriptionLimit() async throws {
        try await RouterHarness.run(Self.configuration { $0.subscriptionsPerSession = 2 }) { harness in
            let peer = try await harness.join()
            let first = try await peer.subscribe("com.example.a")
            _ = try await peer.subscribe("com.example.b")
            #expect(try await peer.subscribe("com.example.a") == first)
            try await peer.send(.subscribe(.init(request: 99, topic: "com.example.c")))
            let error = try await peer.receiveError()
            #expect(error.request == 99 && error.error == WAMPRouter.limitExceededURI)
            #expect(error.args == ["the session has 2 subscriptions, the limit (subscriptionsPerSession)"])
        }
    }

    @Test("calls in flight over the per-session limit are refused, and allowed again once one ends")
    func pendingCallLimit() async throws {
        try await RouterHarness.run(Self.configuration { $0.pendingCallsPerSession = 2 }) { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.p")
            try await caller.call("com.example.p")
            try await caller.call("com.example.p")
            let third = try await caller.call("com.example.p")
            let error = try await caller.receiveError()
            #expect(error.request == third && error.error == WAMPRouter.limitExceededURI)
            let invocation = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: invocation.request)))
            _ = try await caller.receiveResult()
            try await caller.call("com.example.p")
            _ = try await callee.receiveInvocation()
            _ = try await callee.receiveInvocation()
        }
    }

    @Test("registrations over the per-session limit are refused")
    func registrationLimit() async throws {
        try await RouterHarness.run(Self.configuration { $0.registrationsPerSession = 1 }) { harness in
            let peer = try await harness.join()
            _ = try await peer.register("com.example.a")
            try await peer.send(.register(.init(request: 50, procedure: "com.example.b")))
            #expect(try await peer.receiveError().error == WAMPRouter.limitExceededURI)
        }
    }

    @Test("a session over the per-realm limit gets ABORT; another joins once one left")
    func sessionLimit() async throws {
        try await RouterHarness.run(Self.configuration { $0.sessionsPerRealm = 2 }) { harness in
            let first = try await harness.join()
            _ = try await harness.join()
            let third = harness.connect()
            try await third.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
            let abort = try await third.receiveAbort()
            #expect(abort.reason == WAMPRouter.limitExceededURI)
            try await first.send(.goodbye(.init()))
            _ = try await first.receive()
            _ = try await harness.join()
        }
    }

    @Test("a subscriber that does not read is ended with ABORT outbound_queue_overflow while the others get every event")
    func slowSubscriber() async throws {
        try await Self.withSmallQueues(4) { harness in
            let slow = try await harness.join()
            let fast = try await harness.join()
            let publisher = try await harness.join()
            _ = try await slow.subscribe("com.example.feed")
            _ = try await fast.subscribe("com.example.feed")
            let count = 40
            for n in 0 ..< count {
                _ = try await publisher.publishAcknowledged("com.example.feed", payload: .arguments([.integer(Int64(n))], [:]))
                #expect(try await fast.receiveEvent().args == [.integer(Int64(n))])
            }
            // Now the slow subscriber reads: some events, then the ABORT, then the end.
            let last = try await slow.lastMessageBeforeEnd()
            guard case .abort(let abort)? = last else {
                Issue.record("expected ABORT last, got \(String(describing: last))")
                return
            }
            #expect(abort.reason == WAMPRouter.outboundQueueOverflowURI)
            // The router goes on for the others.
            _ = try await publisher.publishAcknowledged("com.example.feed", payload: .arguments(["after"], [:]))
            #expect(try await fast.receiveEvent().args == ["after"])
        }
    }

    @Test("a subscriber that does not read large EVENTs is ended by the octet bound before the message count bound, while the others go on")
    func slowSubscriberOfLargeEvents() async throws {
        var configuration = Self.configuration { limits in
            limits.outboundQueueLength = 1024
            limits.outboundQueueOctets = 64 * 1024
        }
        configuration.closeGracePeriod = .milliseconds(50)
        var transport = InMemoryTransport.Configuration()
        transport.bufferedMessages = 2
        try await RouterHarness.run(configuration, transport: transport) { harness in
            let slow = try await harness.join()
            let fast = try await harness.join()
            let publisher = try await harness.join()
            _ = try await slow.subscribe("com.example.large")
            _ = try await fast.subscribe("com.example.large")
            // 40 events of 16 KiB: far below 1024 messages, far above 64 KiB.
            let large = WAMPValue.string(String(repeating: "x", count: 16 * 1024))
            for n in 0 ..< 40 {
                _ = try await publisher.publishAcknowledged("com.example.large", payload: .arguments([.integer(Int64(n)), large], [:]))
                #expect(try await fast.receiveEvent().args.first == .integer(Int64(n)))
            }
            let last = try await slow.lastMessageBeforeEnd()
            guard case .abort(let abort)? = last else {
                Issue.record("expected ABORT last, got \(String(describing: last))")
                return
            }
            #expect(abort.reason == WAMPRouter.outboundQueueOverflowURI)
            _ = try await publisher.publishAcknowledged("com.example.large", payload: .arguments(["after"], [:]))
            #expect(try await fast.receiveEvent().args == ["after"])
        }
    }

    @Test("a message larger than the octet bound is still delivered when it is alone in the queue")
    func oneLargeMessageFits() async throws {
        let configuration = Self.configuration { $0.outboundQueueOctets = 1024 }
        try await RouterHarness.run(configuration) { harness in
            let subscriber = try await harness.join()
            let publisher = try await harness.join()
            _ = try await subscriber.subscribe("com.example.large")
            let large = WAMPValue.string(String(repeating: "y", count: 8 * 1024))
            for _ in 0 ..< 3 {
                _ = try await publisher.publishAcknowledged("com.example.large", payload: .arguments([large], [:]))
                #expect(try await subscriber.receiveEvent().args == [large])
            }
        }
    }

    @Test("a publisher that floods without reading its acknowledgements is ended; the subscribers are not")
    func floodingPublisher() async throws {
        try await Self.withSmallQueues(8) { harness in
            let subscriber = try await harness.join()
            let flooder = try await harness.join()
            _ = try await subscriber.subscribe("com.example.feed")
            var sent = 0
            do {
                while sent < 100_000 {
                    sent += 1
                    try await flooder.send(.publish(.init(request: WAMPID(sent), options: ["acknowledge": true], topic: "com.example.flood")))
                }
                Issue.record("the flooder was never stopped")
            } catch let error as InMemoryTransportError {
                #expect(error.kind == .connectionClosed)
            }
            guard case .abort(let abort)? = try await flooder.lastMessageBeforeEnd() else {
                Issue.record("expected ABORT last")
                return
            }
            #expect(abort.reason == WAMPRouter.outboundQueueOverflowURI)
            let publisher = try await harness.join()
            _ = try await publisher.publishAcknowledged("com.example.feed", payload: .arguments(["still here"], [:]))
            #expect(try await subscriber.receiveEvent().args == ["still here"])
        }
    }
}
