import Logging
import ServiceLifecycle
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

@Suite("Sessions over an in-memory transport", .scaledTimeLimit(minutes: 1))
struct SessionFlowTests {
    @Test("HELLO is answered with WELCOME: a session ID in range, the router's roles, anonymous auth")
    func join() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            #expect(WAMPID.wampRange.contains(peer.session))
            #expect(peer.welcome["roles"]?["broker"]?["features"]?["subscriber_blackwhite_listing"] == true)
            #expect(peer.welcome["roles"]?["dealer"]?["features"]?["shared_registration"] == true)
            #expect(peer.welcome["authmethod"] == "anonymous")
            #expect(peer.welcome["realm"] == "realm1")
            let other = try await harness.join()
            #expect(other.session != peer.session)
        }
    }

    @Test("HELLO to an unknown realm gets ABORT no_such_realm and the connection is closed")
    func noSuchRealm() async throws {
        try await RouterHarness.run { harness in
            let peer = harness.connect()
            try await peer.send(.hello(.init(realm: "nowhere", details: ["roles": ["caller": [:]]])))
            let abort = try await peer.receiveAbort()
            #expect(abort.reason == "wamp.error.no_such_realm")
            #expect(try await peer.next() == nil)
        }
    }

    @Test("a realm added at run time can be joined")
    func realmAddedAtRunTime() async throws {
        try await RouterHarness.run { harness in
            #expect(harness.router.addRealm("com.example.late"))
            #expect(!harness.router.addRealm("com.example.late"))
            #expect(harness.router.realms == ["com.example.late", "realm1"])
            let peer = try await harness.join("com.example.late")
            #expect(peer.welcome["realm"] == "com.example.late")
        }
    }

    @Test("a message before WELCOME is a protocol violation: ABORT, then the connection is closed")
    func messageBeforeWelcome() async throws {
        try await RouterHarness.run { harness in
            let peer = harness.connect()
            try await peer.send(.subscribe(.init(request: 1, topic: "com.example.topic")))
            let abort = try await peer.receiveAbort()
            #expect(abort.reason == "wamp.error.protocol_violation")
            #expect(abort.details["message"] == "SUBSCRIBE received before WELCOME: send HELLO first")
            #expect(try await peer.next() == nil)
        }
    }

    @Test("a message a router never receives ends the session; its subscriptions go with it, others go on")
    func routerOnlyMessage() async throws {
        try await RouterHarness.run { harness in
            let bad = try await harness.join()
            let good = try await harness.join()
            let publisher = try await harness.join()
            _ = try await bad.subscribe("com.example.topic")
            let subscription = try await good.subscribe("com.example.topic")
            try await bad.send(.event(.init(subscription: 1, publication: 1)))
            #expect(try await bad.receiveAbort().reason == "wamp.error.protocol_violation")
            #expect(try await bad.next() == nil)
            _ = try await publisher.publishAcknowledged("com.example.topic", payload: .arguments([1], [:]))
            let event = try await good.receiveEvent()
            #expect(event.subscription == subscription && event.args == [1])
        }
    }

    @Test("a second HELLO is a protocol violation")
    func secondHello() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            try await peer.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
            #expect(try await peer.receiveAbort().reason == "wamp.error.protocol_violation")
        }
    }

    @Test("HELLO without roles is a protocol violation")
    func helloWithoutRoles() async throws {
        try await RouterHarness.run { harness in
            let peer = harness.connect()
            try await peer.send(.hello(.init(realm: "realm1")))
            #expect(try await peer.receiveAbort().reason == "wamp.error.protocol_violation")
        }
    }

    @Test("GOODBYE is answered with goodbye_and_out, and the connection can join again")
    func goodbyeAndRejoin() async throws {
        // Between GOODBYE and the next HELLO the router's hello timeout runs: here it is a guard
        // (the test is about rejoining), scaled so that a stalled test process does not trip it.
        var configuration = WAMPRouter.Configuration()
        configuration.helloTimeout = TimeGuard.duration(10)
        try await RouterHarness.run(configuration) { harness in
            let peer = try await harness.join()
            let first = peer.session
            try await peer.send(.goodbye(.init(reason: "wamp.close.normal")))
            let goodbye = try await peer.receive("GOODBYE") { if case .goodbye(let m) = $0 { m } else { nil } }
            #expect(goodbye.reason == "wamp.close.goodbye_and_out")
            try await peer.join()
            #expect(peer.session != first)
        }
    }

    @Test("shutdown says GOODBYE system_shutdown to every session and returns once they are closed")
    func shutdown() async throws {
        try await RouterHarness.run { harness in
            let a = try await harness.join()
            let b = try await harness.join()
            async let shutdown: Void = harness.router.shutdown()
            for peer in [a, b] {
                let goodbye = try await peer.receive("GOODBYE") { if case .goodbye(let m) = $0 { m } else { nil } }
                #expect(goodbye.reason == "wamp.close.system_shutdown")
                try await peer.send(.goodbye(.init(reason: "wamp.close.goodbye_and_out")))
                #expect(try await peer.next() == nil)
            }
            await shutdown
            let late = harness.connect()
            #expect(try await late.receiveAbort().reason == "wamp.close.system_shutdown")
        }
    }

    @Test("a session that does not answer the shutdown GOODBYE is closed after the grace period")
    func shutdownWithoutReply() async throws {
        var configuration = WAMPRouter.Configuration()
        configuration.closeGracePeriod = .milliseconds(20)
        try await RouterHarness.run(configuration) { harness in
            let peer = try await harness.join()
            await harness.router.shutdown()
            let last = try await peer.lastMessageBeforeEnd()
            #expect(last == .goodbye(.init(details: ["message": "the router is shutting down"], reason: "wamp.close.system_shutdown")))
        }
    }

    @Test("a connection that sends no HELLO is closed at the hello timeout")
    func helloTimeout() async throws {
        var configuration = WAMPRouter.Configuration()
        configuration.helloTimeout = .milliseconds(20)
        try await RouterHarness.run(configuration) { harness in
            let peer = harness.connect()
            let next = try await peer.next()
            #expect(next == nil)
        }
    }

    @Test("as a Service in a ServiceGroup, graceful shutdown says GOODBYE and run returns")
    func serviceGroupShutdown() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            let group = ServiceGroup(services: [harness.router], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await group.triggerGracefulShutdown()
                let goodbye = try await peer.receive("GOODBYE") { if case .goodbye(let m) = $0 { m } else { nil } }
                #expect(goodbye.reason == "wamp.close.system_shutdown")
                try await peer.send(.goodbye(.init(reason: "wamp.close.goodbye_and_out")))
                try await tasks.waitForAll()
            }
        }
    }

    @Test("an authorizer's refusal is ERROR not_authorized; its failure is authorization_failed")
    func authorizer() async throws {
        struct NoSecrets: WAMPAuthorizer {
            struct Broken: Error {}
            func authorize(_ request: WAMPAuthorizationRequest) async throws -> Bool {
                if request.uri == "com.example.broken" { throw Broken() }
                return !request.uri.hasPrefix("com.example.secret") && request.session.authrole == "anonymous"
            }
        }
        var configuration = WAMPRouter.Configuration()
        configuration.authorizer = NoSecrets()
        try await RouterHarness.run(configuration) { harness in
            let peer = try await harness.join()
            _ = try await peer.subscribe("com.example.public")
            try await peer.send(.subscribe(.init(request: 10, topic: "com.example.secret")))
            let refused = try await peer.receiveError()
            #expect(refused.requestType == .subscribe && refused.request == 10 && refused.error == "wamp.error.not_authorized")
            try await peer.send(.call(.init(request: 11, procedure: "com.example.broken")))
            let failed = try await peer.receiveError()
            #expect(failed.requestType == .call && failed.request == 11 && failed.error == "wamp.error.authorization_failed")
        }
    }
}
