import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

@Suite("The router's meta API over an in-memory transport", .scaledTimeLimit(minutes: 1))
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

    /// Whether `value` is a string like `2026-12-02T10:58:07.123Z`.
    private func isISO8601UTC(_ value: WAMPValue?) -> Bool {
        guard case .string(let text)? = value else { return false }
        let pattern = Array("dddd-dd-ddTdd:dd:dd.dddZ")
        return text.count == pattern.count && zip(text, pattern).allSatisfy { $1 == "d" ? $0.isNumber : $0 == $1 }
    }

    /// The next message, which must be GOODBYE.
    private func receiveGoodbye(_ peer: TestPeer) async throws -> WAMPMessage.Goodbye {
        try await peer.receive("GOODBYE") { if case .goodbye(let m) = $0 { m } else { nil } }
    }

    @Test("registration.get and subscription.get carry created, the ISO 8601 UTC time of creation")
    func createdTimes() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            let registration = try await peer.register("com.example.add", ["invoke": "roundrobin"])
            let subscription = try await peer.subscribe("com.example", ["match": "prefix"])
            let registered = try await meta(peer, "wamp.registration.get", [.integer(exactly: registration)])
            #expect(registered?["id"] == .integer(exactly: registration) && registered?["invoke"] == "roundrobin")
            #expect(isISO8601UTC(registered?["created"]), "created: \(String(describing: registered?["created"]))")
            let subscribed = try await meta(peer, "wamp.subscription.get", [.integer(exactly: subscription)])
            #expect(subscribed?["id"] == .integer(exactly: subscription) && subscribed?["match"] == "prefix")
            #expect(isISO8601UTC(subscribed?["created"]), "created: \(String(describing: subscribed?["created"]))")
            // Read from the wall clock when the REGISTER and SUBSCRIBE came, not left at the epoch.
            for created in [registered?["created"], subscribed?["created"]] {
                guard case .string(let text)? = created else { continue }
                #expect(text >= "2025", "created: \(text)")
            }
        }
    }

    @Test("filter_authroles may name a role twice")
    func filterWithRepeatedRole() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            #expect(try await meta(peer, "wamp.session.count", [["anonymous", "anonymous"]]) == 1)
            #expect(try await metaError(peer, "wamp.session.count", [["anonymous", 1]]) == WAMPURI.invalidArgument)
        }
    }

    @Test("subscription meta events: on_create and on_subscribe after SUBSCRIBED, on_unsubscribe and on_delete after UNSUBSCRIBED")
    func subscriptionEvents() async throws {
        try await RouterHarness.run { harness in
            let watcher = try await harness.join()
            for event in ["on_create", "on_subscribe", "on_unsubscribe", "on_delete"] {
                _ = try await watcher.subscribe("wamp.subscription." + event)
            }
            let first = try await harness.join()
            let second = try await harness.join()
            let id = try await first.subscribe("com.example.topic")
            let created = try await watcher.receiveEvent()
            #expect(created.args.first == .integer(exactly: first.session))
            #expect(created.args.last?["id"] == .integer(exactly: id) && created.args.last?["uri"] == "com.example.topic")
            #expect(created.args.last?["match"] == "exact" && isISO8601UTC(created.args.last?["created"]))
            #expect(try await watcher.receiveEvent().args == [.integer(exactly: first.session), .integer(exactly: id)])
            // The second subscriber joins the subscription: on_subscribe only.
            #expect(try await second.subscribe("com.example.topic") == id)
            #expect(try await watcher.receiveEvent().args == [.integer(exactly: second.session), .integer(exactly: id)])
            // The first unsubscribes: on_unsubscribe only; the second leaves: on_unsubscribe, on_delete.
            let request = first.nextRequest()
            try await first.send(.unsubscribe(.init(request: request, subscription: id)))
            _ = try await first.receive("UNSUBSCRIBED") { if case .unsubscribed(let m) = $0 { m } else { nil } }
            let unsubscribed = try await watcher.receiveEvent()
            #expect(unsubscribed.args == [.integer(exactly: first.session), .integer(exactly: id)])
            try await second.send(.goodbye(.init(reason: WAMPURI.closeNormal)))
            let left = try await watcher.receiveEvent()
            let deleted = try await watcher.receiveEvent()
            #expect(left.subscription != deleted.subscription && left.subscription == unsubscribed.subscription)
            #expect(left.args == [.integer(exactly: second.session), .integer(exactly: id)])
            #expect(deleted.args == [.integer(exactly: second.session), .integer(exactly: id)])
            #expect(try await meta(watcher, "wamp.subscription.lookup", ["com.example.topic"]) == .null)
        }
    }

    @Test("subscribing to the meta events announces nothing; the subscriber's own subscription comes after its SUBSCRIBED")
    func metaSubscriptionsDoNotAnnounceThemselves() async throws {
        try await RouterHarness.run { harness in
            let watcher = try await harness.join()
            _ = try await watcher.subscribe("wamp.subscription.on_subscribe")
            _ = try await watcher.subscribe("wamp.subscription.on_create")
            _ = try await watcher.subscribe("wamp.subscription", ["match": "prefix"])
            // Had any of these been announced, the next message would be an EVENT, not SUBSCRIBED.
            let id = try await watcher.subscribe("com.example.topic")
            // on_create and on_subscribe, each to the exact and to the prefix subscription (with the topic).
            let created = try await watcher.receiveEvent()
            #expect(created.args.first == .integer(exactly: watcher.session) && created.args.last?["id"] == .integer(exactly: id))
            var topics: [String] = []
            if case .string(let topic)? = created.details["topic"] { topics.append(topic) }
            for _ in 0 ..< 3 {
                if case .string(let topic)? = try await watcher.receiveEvent().details["topic"] { topics.append(topic) }
            }
            #expect(topics == ["wamp.subscription.on_create", "wamp.subscription.on_subscribe"])
            // Nothing else was published to it: the next message is the answer to this call.
            _ = try await meta(watcher, "wamp.session.count")
        }
    }

    @Test("registration meta events: on_create, on_register, on_unregister, on_delete")
    func registrationEvents() async throws {
        try await RouterHarness.run { harness in
            let watcher = try await harness.join()
            for event in ["on_create", "on_register", "on_unregister", "on_delete"] {
                _ = try await watcher.subscribe("wamp.registration." + event)
            }
            let callee = try await harness.join()
            let other = try await harness.join()
            let id = try await callee.register("com.example.add", ["invoke": "first"])
            let created = try await watcher.receiveEvent()
            #expect(created.args.first == .integer(exactly: callee.session))
            #expect(created.args.last?["uri"] == "com.example.add" && created.args.last?["invoke"] == "first")
            #expect(created.args.last?["match"] == "exact" && isISO8601UTC(created.args.last?["created"]))
            #expect(try await watcher.receiveEvent().args == [.integer(exactly: callee.session), .integer(exactly: id)])
            #expect(try await other.register("com.example.add", ["invoke": "first"]) == id)
            #expect(try await watcher.receiveEvent().args == [.integer(exactly: other.session), .integer(exactly: id)])
            let request = callee.nextRequest()
            try await callee.send(.unregister(.init(request: request, registration: id)))
            #expect(try await watcher.receiveEvent().args == [.integer(exactly: callee.session), .integer(exactly: id)])
            try await other.send(.goodbye(.init(reason: WAMPURI.closeNormal)))
            let unregistered = try await watcher.receiveEvent()
            let deleted = try await watcher.receiveEvent()
            #expect(unregistered.args == [.integer(exactly: other.session), .integer(exactly: id)])
            #expect(deleted.args == unregistered.args && deleted.subscription != unregistered.subscription)
        }
    }

    @Test("wamp.session.kill: GOODBYE with the reason and message, on_leave, no result; the caller itself is no_such_session")
    func killSession() async throws {
        try await RouterHarness.run { harness in
            let caller = try await harness.join()
            let victim = try await harness.join()
            _ = try await caller.subscribe("wamp.session.on_leave")
            try await victim.call("wamp.session.kill", payload: .arguments([.integer(exactly: caller.session)],
                                                                           ["reason": "not a uri!"]))
            #expect(try await victim.receiveError().error == WAMPURI.invalidURI)
            #expect(try await metaError(caller, "wamp.session.kill", [.integer(exactly: caller.session)]) == WAMPURI.noSuchSession)
            try await caller.call("wamp.session.kill", payload: .arguments(
                [.integer(exactly: victim.session)], ["reason": "com.example.maintenance", "message": "back soon"]))
            let goodbye = try await receiveGoodbye(victim)
            #expect(goodbye.reason == "com.example.maintenance" && goodbye.details["message"] == "back soon")
            let left = try await caller.receiveEvent()
            #expect(left.args.first == .integer(exactly: victim.session))
            let result = try await caller.receiveResult()
            #expect(result.payload.args.isEmpty)
            try await victim.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            #expect(try await victim.next() == nil)
            #expect(try await meta(caller, "wamp.session.count") == 1)
        }
    }

    @Test("kill_by_authrole, kill_by_authid and kill_all return the count closed, with wamp.close.normal, never the caller")
    func killByAuthroleAndAuthid() async throws {
        try await RouterHarness.run { harness in
            let caller = try await harness.join()
            let first = try await harness.join()
            let second = try await harness.join()
            #expect(try await meta(caller, "wamp.session.kill_by_authid", [.string(String(first.session))]) == 1)
            let goodbye = try await receiveGoodbye(first)
            #expect(goodbye.reason == WAMPURI.closeNormal && goodbye.details["message"] == nil)
            #expect(try await meta(caller, "wamp.session.kill_by_authrole", ["nobody"]) == 0)
            #expect(try await meta(caller, "wamp.session.kill_by_authrole", ["anonymous"]) == 1)
            #expect(try await receiveGoodbye(second).reason == WAMPURI.closeNormal)
            #expect(try await meta(caller, "wamp.session.list") == [.integer(exactly: caller.session)])
            let third = try await harness.join()
            #expect(try await meta(caller, "wamp.session.kill_all") == 1)
            _ = try await receiveGoodbye(third)
            #expect(try await metaError(caller, "wamp.session.kill_by_authid", [7]) == WAMPURI.invalidArgument)
        }
    }
}
