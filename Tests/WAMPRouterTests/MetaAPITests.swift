import Testing
import Transport
import WAMPRouter
import WAMPTesting

@Suite("The router's meta API over an in-memory transport", .timeLimit(.minutes(1)))
struct MetaAPITests {
    /// CALLs `procedure` with `args` and returns RESULT's first argument.
    private func meta(_ peer: TestPeer, _ procedure: String, _ args: [WAMPValue] = []) async throws -> WAMPValue? {
        try await peer.call(procedure, payload: .arguments(args, [:]))
        return try await peer.receiveResult().payload.args.first
    }

    /// CALLs `procedure` with `args` and returns the ERROR's URI.
    private func metaError(_ peer: TestPeer, _ procedure: String, _ args: [WAMPValue]) async throws -> String {
        try await peer.call(procedure, payload: .arguments(args, [:]))
        return try await peer.receiveError().error
    }

    @Test("WELCOME announces the session, registration and subscription meta APIs")
    func welcomeAnnouncesMetaAPI() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            #expect(peer.welcome["roles"]?["dealer"]?["features"]?["registration_meta_api"] == true)
            #expect(peer.welcome["roles"]?["dealer"]?["features"]?["session_meta_api"] == true)
            #expect(peer.welcome["roles"]?["broker"]?["features"]?["subscription_meta_api"] == true)
        }
    }

    @Test("session count, list and get answer from the realm's sessions; an unknown ID is no_such_session")
    func sessionMetaProcedures() async throws {
        try await RouterHarness.run { harness in
            let first = try await harness.join()
            let second = try await harness.join()
            #expect(try await meta(first, "wamp.session.count") == 2)
            #expect(try await meta(first, "wamp.session.count", [["nobody"]]) == 0)
            let ids = [first.session, second.session].sorted().map { WAMPValue.integer(exactly: $0) }
            #expect(try await meta(first, "wamp.session.list") == .list(ids))
            let details = try await meta(first, "wamp.session.get", [.integer(exactly: second.session)])
            #expect(details?["session"] == .integer(exactly: second.session))
            #expect(details?["authid"] == .string(String(second.session)))
            #expect(details?["authrole"] == "anonymous" && details?["authmethod"] == "anonymous")
            #expect(try await metaError(first, "wamp.session.get", [12345]) == WAMPURI.noSuchSession)
        }
    }

    @Test("registration list, lookup, match, get, list_callees and count_callees; an unknown ID is no_such_registration")
    func registrationMetaProcedures() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let peer = try await harness.join()
            let exact = try await callee.register("com.example.add")
            let prefix = try await callee.register("com.example", ["match": "prefix"])
            let list = try await meta(peer, "wamp.registration.list")
            #expect(list?["exact"] == [.integer(exactly: exact)] && list?["prefix"] == [.integer(exactly: prefix)])
            #expect(list?["wildcard"] == [])
            #expect(try await meta(peer, "wamp.registration.lookup", ["com.example.add"]) == .integer(exactly: exact))
            #expect(try await meta(peer, "wamp.registration.lookup", ["com.example", ["match": "prefix"]]) == .integer(exactly: prefix))
            #expect(try await meta(peer, "wamp.registration.lookup", ["com.example"]) == .null)
            #expect(try await meta(peer, "wamp.registration.match", ["com.example.other"]) == .integer(exactly: prefix))
            #expect(try await meta(peer, "wamp.registration.match", ["org.none"]) == .null)
            let details = try await meta(peer, "wamp.registration.get", [.integer(exactly: prefix)])
            #expect(details?["uri"] == "com.example" && details?["match"] == "prefix" && details?["invoke"] == "single")
            #expect(try await meta(peer, "wamp.registration.list_callees", [.integer(exactly: exact)])
                == [.integer(exactly: callee.session)])
            #expect(try await meta(peer, "wamp.registration.count_callees", [.integer(exactly: exact)]) == 1)
            #expect(try await metaError(peer, "wamp.registration.get", [999]) == WAMPURI.noSuchRegistration)
            #expect(try await metaError(peer, "wamp.registration.count_callees", [999]) == WAMPURI.noSuchRegistration)
        }
    }

    @Test("subscription list, lookup, match, get, list_subscribers and count_subscribers; an unknown ID is no_such_subscription")
    func subscriptionMetaProcedures() async throws {
        try await RouterHarness.run { harness in
            let subscriber = try await harness.join()
            let peer = try await harness.join()
            let exact = try await subscriber.subscribe("com.example.topic")
            let wildcard = try await subscriber.subscribe("com..topic", ["match": "wildcard"])
            let list = try await meta(peer, "wamp.subscription.list")
            #expect(list?["exact"] == [.integer(exactly: exact)] && list?["wildcard"] == [.integer(exactly: wildcard)])
            #expect(try await meta(peer, "wamp.subscription.lookup", ["com..topic", ["match": "wildcard"]])
                == .integer(exactly: wildcard))
            #expect(try await meta(peer, "wamp.subscription.lookup", ["com.other"]) == .null)
            #expect(try await meta(peer, "wamp.subscription.match", ["com.example.topic"])
                == .list([exact, wildcard].sorted().map { .integer(exactly: $0) }))
            #expect(try await meta(peer, "wamp.subscription.match", ["org.none"]) == .null)
            let details = try await meta(peer, "wamp.subscription.get", [.integer(exactly: exact)])
            #expect(details?["uri"] == "com.example.topic" && details?["match"] == "exact")
            #expect(try await meta(peer, "wamp.subscription.list_subscribers", [.integer(exactly: exact)])
                == [.integer(exactly: subscriber.session)])
            #expect(try await meta(peer, "wamp.subscription.count_subscribers", [.integer(exactly: exact)]) == 1)
            #expect(try await metaError(peer, "wamp.subscription.get", [999]) == WAMPURI.noSuchSubscription)
            #expect(try await metaError(peer, "wamp.subscription.list_subscribers", [999]) == WAMPURI.noSuchSubscription)
        }
    }

    @Test("wamp.session.on_join carries the new session's details, on_leave its ID, authid and authrole")
    func joinAndLeaveEvents() async throws {
        try await RouterHarness.run { harness in
            let watcher = try await harness.join()
            _ = try await watcher.subscribe("wamp.session.on_join")
            _ = try await watcher.subscribe("wamp.session.on_leave")
            let other = try await harness.join()
            let joined = try await watcher.receiveEvent()
            #expect(joined.args.first?["session"] == .integer(exactly: other.session))
            #expect(joined.args.first?["authrole"] == "anonymous")
            try await other.send(.goodbye(.init(reason: WAMPURI.closeNormal)))
            let left = try await watcher.receiveEvent()
            #expect(left.args == [.integer(exactly: other.session), .string(String(other.session)), "anonymous"])
        }
    }
}
