import Testing
import Transport
@testable import WAMPRouter

/// The meta API in the routing state driven directly: the wall-clock time it is given, and the
/// actions of the kill procedures.
@Suite("Meta API in the routing state")
struct MetaStateTests {
    @Test("UTCTime formats ISO 8601 UTC with milliseconds, across leap days and before 1970")
    func utcTimeFormat() {
        #expect(UTCTime.epoch.iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(UTCTime(millisecondsSince1970: 1_709_164_800_007).iso8601 == "2024-02-29T00:00:00.007Z")
        #expect(UTCTime(millisecondsSince1970: 1_796_205_487_123).iso8601 == "2026-12-02T09:58:07.123Z")
        #expect(UTCTime(millisecondsSince1970: 951_868_799_999).iso8601 == "2000-02-29T23:59:59.999Z")
        #expect(UTCTime(millisecondsSince1970: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test("created is the wall-clock time passed with the SUBSCRIBE or REGISTER that created it, not a later one")
    func createdIsTheInjectedTime() throws {
        var f = RouterCoreTests.Fixture()
        let subscribed = f.core.receive(
            .subscribe(.init(request: 1, topic: "com.example.topic")), from: f.callee, now: f.start,
            utc: UTCTime(millisecondsSince1970: 1_796_205_487_123))
        let subscription = try #require(subscribed.lazy.compactMap { action -> WAMPID? in
            if case .send(.subscribed(let m), _) = action { m.subscription } else { nil }
        }.first)
        let registered = f.core.receive(
            .register(.init(request: 2, procedure: "com.example.add")), from: f.callee, now: f.start,
            utc: UTCTime(millisecondsSince1970: 1_796_205_488_000))
        let registration = try #require(registered.lazy.compactMap { action -> WAMPID? in
            if case .send(.registered(let m), _) = action { m.registration } else { nil }
        }.first)
        // A second subscriber later does not change the time.
        _ = f.core.receive(.subscribe(.init(request: 3, topic: "com.example.topic")), from: f.caller, now: f.start,
                           utc: UTCTime(millisecondsSince1970: 1_796_205_499_000))
        func get(_ procedure: String, _ id: WAMPID, request: WAMPID) -> WAMPValue? {
            let actions = f.core.receive(
                .call(.init(request: request, procedure: procedure, payload: .arguments([.integer(exactly: id)], [:]))),
                from: f.caller, now: f.start)
            guard case .send(.result(let result), _)? = actions.first else { return nil }
            return result.payload.args.first
        }
        #expect(get("wamp.subscription.get", subscription, request: 4)?["created"] == "2026-12-02T09:58:07.123Z")
        #expect(get("wamp.registration.get", registration, request: 5)?["created"] == "2026-12-02T09:58:08.000Z")
    }

    @Test("wamp.session.kill: the killed session leaves at once, gets GOODBYE and the grace period; the caller gets RESULT")
    func killActions() throws {
        var f = RouterCoreTests.Fixture()
        let callee = try #require(f.core.session(on: f.callee)?.id)
        let actions = f.core.receive(
            .call(.init(request: 1, procedure: "wamp.session.kill",
                        payload: .arguments([.integer(exactly: callee)], ["reason": "com.example.bye", "message": "go"]))),
            from: f.caller, now: f.start)
        #expect(actions == [
            .send(.goodbye(.init(details: ["message": "go"], reason: "com.example.bye")), to: f.callee),
            .rescheduleTimer(f.callee),
            .send(.result(.init(request: 1, payload: .arguments([], [:]))), to: f.caller),
        ])
        #expect(f.core.session(on: f.callee) == nil)
        #expect(f.core.phase(of: f.callee) == .closing(deadline: f.start + f.core.closeGracePeriod))
        // Its GOODBYE reply closes the connection.
        #expect(f.core.receive(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)), from: f.callee, now: f.start) == [.close(f.callee)])
    }
}
