import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Joining and leaving", .timeLimit(.minutes(1)), .closesFakeTransports)
struct SessionLifecycleTests {
    @Test("HELLO announces the four client roles and the features implemented; WELCOME gives the session ID")
    func helloAnnouncesRolesAndFeatures() async throws {
        let transport = FakeTransport()
        async let joined = WAMPSession.join(transport, realm: "realm1")
        let hello = try await transport.router.welcome(session: 4242)
        let session = try await joined
        #expect(hello.realm == "realm1")
        let roles = try #require(hello.details["roles"]?.dictValue)
        #expect(Set(roles.keys) == ["caller", "callee", "publisher", "subscriber"])
        #expect(roles["caller"]?["features"]?["call_canceling"] == true)
        #expect(roles["caller"]?["features"]?["progressive_call_results"] == true)
        #expect(roles["callee"]?["features"]?["call_canceling"] == true)
        #expect(hello.details["authmethods"] == ["anonymous"])
        #expect(await session.sessionID == 4242)
        await leaveAnswered(session, transport)
    }

    @Test("ABORT in answer to HELLO throws .aborted carrying the reason and details, and closes the transport")
    func abortOnJoin() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.join(transport, realm: "nosuchrealm") }
        _ = try await transport.router.expect("HELLO") { if case .hello(let h) = $0 { h } else { nil } }
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
            try await WAMPSession.join(transport, realm: "realm1", configuration: configuration)
        }
        #expect(error?.code == .joinTimedOut)
        #expect(transport.isClosed)
    }

    @Test("the transport closing during the join: .connectionLost, not a hang")
    func transportClosesWhileJoining() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.join(transport, realm: "realm1") }
        _ = await transport.router.next()
        transport.drop()
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .connectionLost)
    }

    @Test("a message other than WELCOME, ABORT or CHALLENGE while joining: ABORT wamp.error.protocol_violation")
    func violationWhileJoining() async throws {
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.join(transport, realm: "realm1") }
        _ = await transport.router.next()
        transport.router.send(.event(.init(subscription: 1, publication: 2)))
        let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
        #expect(abort.reason == WAMPURI.protocolViolation)
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .protocolViolation)
        // The session closes the transport after failing what was pending: wait for it (a time guard).
        for _ in 0 ..< TimeGuard.polls(5, every: 0.01) where !transport.isClosed { try await Task.sleep(for: .milliseconds(10)) }
        #expect(transport.isClosed)
    }

    @Test("a client-bound-never message in an open session (CALL): ABORT protocol_violation, pending calls fail")
    func violationWhileEstablished() async throws {
        let (session, transport) = try await joinedSession()
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

    @Test("a RESULT for a request never made: ABORT protocol_violation")
    func resultForUnknownRequest() async throws {
        let (_, transport) = try await joinedSession()
        transport.router.send(.result(.init(request: 99)))
        let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
        #expect(abort.reason == WAMPURI.protocolViolation)
        #expect(abort.details["message"]?.stringValue?.contains("99") == true)
    }

    @Test("leave: GOODBYE wamp.close.normal, the router's GOODBYE, the transport closed, later calls fail with .notJoined")
    func leave() async throws {
        let (session, transport) = try await joinedSession()
        await leaveAnswered(session, transport)
        #expect(transport.isClosed)
        let error = await #expect(throws: WAMPSessionError.self) { try await session.call("com.example.x") }
        #expect(error?.code == .notJoined)
    }

    @Test("GOODBYE from the router: answered with wamp.close.goodbye_and_out; subscriptions finish with .sessionClosed")
    func routerGoodbye() async throws {
        let (session, transport) = try await joinedSession()
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

    @Test("request IDs are sequential from 1 in a session")
    func sequentialRequestIDs() async throws {
        let (session, transport) = try await joinedSession()
        try await session.publish("com.example.a")
        try await session.publish("com.example.b")
        try await session.publish("com.example.c")
        var requests: [WAMPID] = []
        for _ in 0 ..< 3 {
            requests.append(try await transport.router.expect("PUBLISH") { if case .publish(let p) = $0 { p.request } else { nil } })
        }
        #expect(requests == [1, 2, 3])
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

/// Leaves, answering the GOODBYE as a router does.
func leaveAnswered(_ session: WAMPSession, _ transport: FakeTransport) async {
    async let left: Void = session.leave()
    if case .goodbye(let goodbye)? = await transport.router.next() {
        #expect(goodbye.reason == WAMPURI.closeNormal)
        transport.router.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
    } else {
        Issue.record("expected GOODBYE")
    }
    await left
}
