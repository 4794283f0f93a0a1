import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Joining and leaving", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct SessionLifecycleTests {
    @Test("HELLO announces the four client roles and the features implemented; WELCOME gives the session ID")
    func helloAnnouncesRolesAndFeatures() async throws {
        let transport = FakeTransport(welcome: 4242)
        let sessionID = try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
            let hello = try await transport.router.expectHello()
            #expect(hello.realm == "realm1")
            let roles = try #require(hello.details["roles"]?.dictValue)
            #expect(Set(roles.keys) == ["caller", "callee", "publisher", "subscriber"])
            #expect(roles["caller"]?["features"]?["call_canceling"] == true)
            #expect(roles["caller"]?["features"]?["progressive_call_results"] == true)
            #expect(roles["callee"]?["features"]?["call_canceling"] == true)
            #expect(hello.details["authmethods"] == ["anonymous"])
            return await session.sessionID
        }
        #expect(sessionID == 4242)
    }

    @Test("ABORT in answer to HELLO throws .aborted carrying the reason and details, and closes the transport; the body never runs")
    func abortOnJoin() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.withSession(joining: transport, realm: "nosuchrealm") { _ in Issue.record("the body ran") } }
        try await transport.router.expectHello()
        transport.router.send(.abort(.init(details: ["message": "no such realm"], reason: "wamp.error.no_such_realm")))
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .aborted)
        #expect(error?.reason == "wamp.error.no_such_realm")
        #expect(error?.details["message"] == "no such realm")
        #expect(transport.isClosed)
    }

    @Test("a router that never answers HELLO: the join fails with .joinTimedOut and the transport is closed")
    func joinTimeout() async throws {
        let transport = FakeTransport()
        var configuration = WAMPSession.Configuration()
        configuration.joinTimeout = .milliseconds(200)
        let error = await #expect(throws: WAMPSessionError.self) {
            try await WAMPSession.withSession(joining: transport, realm: "realm1", configuration: configuration) { _ in }
        }
        #expect(error?.code == .joinTimedOut)
        #expect(transport.isClosed)
    }

    @Test("the transport closing during the join: .connectionLost, not a hang")
    func transportClosesWhileJoining() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.withSession(joining: transport, realm: "realm1") { _ in } }
        _ = await transport.router.next()
        transport.drop()
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .connectionLost)
    }

    @Test("a message other than WELCOME, ABORT or CHALLENGE while joining: ABORT wamp.error.protocol_violation")
    func violationWhileJoining() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.withSession(joining: transport, realm: "realm1") { _ in } }
        _ = await transport.router.next()
        transport.router.send(.event(.init(subscription: 1, publication: 2)))
        let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
        #expect(abort.reason == WAMPURI.protocolViolation)
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .protocolViolation)
        #expect(transport.isClosed)  // the scope has ended: nothing of the session runs any more
    }

    @Test("the task running withSession is cancelled while joining: withSession ends, the transport is closed")
    func cancelledWhileJoining() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.withSession(joining: transport, realm: "realm1") { _ in } }
        try await transport.router.expectHello()
        joined.cancel()
        await #expect(throws: (any Error).self) { try await joined.value }
        #expect(transport.isClosed)
    }

    @Test("the scope leaves when its body returns: GOODBYE, the transport closed, the life cycle ends with closed")
    func scopeLeavesAfterBody() async throws {
        let transport = FakeTransport(welcome: 5)
        let lifecycle = try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
            try await transport.router.expectHello()
            return session.lifecycle
        }
        let goodbye = try await transport.router.expect("GOODBYE") { if case .goodbye(let g) = $0 { g } else { nil } }
        #expect(goodbye.reason == WAMPURI.closeNormal)
        #expect(transport.isClosed)
        var events: [WAMPSessionEvent] = []
        for await event in lifecycle { events.append(event) }
        #expect(events.first == .joined(session: 5))
        #expect(events.last.map { if case .closed = $0 { true } else { false } } == true)
    }

    @Test("the scope leaves when its body throws, and rethrows the body's error")
    func scopeLeavesWhenBodyThrows() async throws {
        struct BodyFailed: Error {}
        let transport = FakeTransport(welcome: 5)
        await #expect(throws: BodyFailed.self) {
            try await WAMPSession.withSession(joining: transport, realm: "realm1") { _ in throw BodyFailed() }
        }
        _ = try await transport.router.expectHello()
        let goodbye = try await transport.router.expect("GOODBYE") { if case .goodbye(let g) = $0 { g } else { nil } }
        #expect(goodbye.reason == WAMPURI.closeNormal)
        #expect(transport.isClosed)
    }

    @Test("nothing outlives the scope: a handler still running when the body returns is cancelled before withSession returns")
    func handlerEndsWithScope() async throws {
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (ended, endedContinuation) = AsyncStream.makeStream(of: Bool.self)
        try await withJoinedSession { session, transport in
            async let registration = session.register("com.example.forever") { _ -> WAMPResult in
                startedContinuation.yield()
                defer { endedContinuation.yield(Task.isCancelled) }
                try? await Task.sleep(for: .seconds(3600))
                return WAMPResult()
            }
            let register = try await transport.router.expect("REGISTER") { if case .register(let r) = $0 { r } else { nil } }
            transport.router.send(.registered(.init(request: register.request, registration: 11)))
            _ = try await registration
            transport.router.send(.invocation(.init(request: 1, registration: 11)))
            for await _ in started { break }
        }
        endedContinuation.finish()
        var cancelled: [Bool] = []
        for await wasCancelled in ended { cancelled.append(wasCancelled) }
        #expect(cancelled == [true])  // it ended, cancelled, before withSession returned
    }

    @Test("a client-bound-never message in an open session (CALL): ABORT protocol_violation, pending calls fail")
    func violationWhileEstablished() async throws {
        try await withJoinedSession { session, transport in
            let result = Task { try await session.call("com.example.wait") }
            _ = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.call(.init(request: 1, procedure: "com.example.bad")))
            let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
            #expect(abort.reason == WAMPURI.protocolViolation)
            let error = await #expect(throws: WAMPSessionError.self) { try await result.value }
            #expect(error?.code == .protocolViolation)
            // The session closes the transport after failing what was pending: wait for it (a time guard).
            for _ in 0 ..< TimeGuard.polls(5, every: 0.01) where !transport.isClosed { try await Task.sleep(for: .milliseconds(10)) }
            #expect(transport.isClosed)
        }
    }

    @Test("a RESULT for a request never made: ABORT protocol_violation")
    func resultForUnknownRequest() async throws {
        try await withJoinedSession { _, transport in
            transport.router.send(.result(.init(request: 99)))
            let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
            #expect(abort.reason == WAMPURI.protocolViolation)
            #expect(abort.details["message"]?.stringValue?.contains("99") == true)
        }
    }

    @Test("leave: GOODBYE wamp.close.normal, the router's GOODBYE, the transport closed, later calls fail with .notJoined")
    func leave() async throws {
        let transport = FakeTransport(welcome: 77, answersGoodbye: false)
        try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
            try await transport.router.expectHello()
            async let left: Void = session.leave()
            let goodbye = try await transport.router.expect("GOODBYE") { if case .goodbye(let g) = $0 { g } else { nil } }
            #expect(goodbye.reason == WAMPURI.closeNormal)
            transport.router.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            await left
            #expect(transport.isClosed)
            let error = await #expect(throws: WAMPSessionError.self) { try await session.call("com.example.x") }
            #expect(error?.code == .notJoined)
        }
    }

    @Test("leave when the router never answers GOODBYE: the session closes after the leave timeout")
    func leaveTimeout() async throws {
        let transport = FakeTransport(welcome: 77, answersGoodbye: false)
        var configuration = WAMPSession.Configuration()
        configuration.leaveTimeout = .milliseconds(50)
        try await WAMPSession.withSession(joining: transport, realm: "realm1", configuration: configuration) { session in
            await session.leave()
            #expect(transport.isClosed)
        }
    }

    @Test("GOODBYE from the router: answered with wamp.close.goodbye_and_out; subscriptions finish with .sessionClosed")
    func routerGoodbye() async throws {
        try await withJoinedSession { session, transport in
            async let subscription = session.subscribe("com.example.topic")
            let subscribe = try await transport.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
            transport.router.send(.subscribed(.init(request: subscribe.request, subscription: 5)))
            let events = try await subscription
            transport.router.send(.goodbye(.init(reason: "wamp.close.system_shutdown")))
            let goodbye = try await transport.router.expect("GOODBYE") { if case .goodbye(let g) = $0 { g } else { nil } }
            #expect(goodbye.reason == WAMPURI.goodbyeAndOut)
            let error = await #expect(throws: WAMPSessionError.self) { for try await _ in events {} }
            #expect(error?.reason == "wamp.close.system_shutdown")
        }
    }

    @Test("request IDs are sequential from 1 in a session")
    func sequentialRequestIDs() async throws {
        try await withJoinedSession { session, transport in
            try await session.publish("com.example.a")
            try await session.publish("com.example.b")
            try await session.publish("com.example.c")
            var requests: [WAMPID] = []
            for _ in 0 ..< 3 {
                requests.append(try await transport.router.expect("PUBLISH") { if case .publish(let p) = $0 { p.request } else { nil } })
            }
            #expect(requests == [1, 2, 3])
        }
    }

    @Test("the request ID generator wraps from 2^53 back to 1")
    func requestIDsWrap() {
        var ids = WAMPRequestIDGenerator(startingAfter: (1 << 53) - 2)
        #expect(ids.next() == (1 << 53) - 1)
        #expect(ids.next() == 1 << 53)
        #expect(ids.next() == 1)
        #expect(ids.next() == 2)
        var fresh = WAMPRequestIDGenerator()
        #expect(fresh.next() == 1)
    }
}
