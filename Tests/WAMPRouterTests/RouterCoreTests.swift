import Testing
import Transport
@testable import WAMPRouter

/// The routing state driven directly, without transport or clock.
@Suite("Routing state")
struct RouterCoreTests {
    /// A routing state with a joined caller and callee (announcing `call_canceling` when asked).
    struct Fixture {
        var core = RouterCore(configuration: .init())
        let start = ContinuousClock.now
        var caller = ConnectionID(rawValue: 0)
        var callee = ConnectionID(rawValue: 0)

        init(calleeCancels: Bool = true) {
            caller = join(roles: ["caller": [:]])
            let features: WAMPValue = calleeCancels ? ["call_canceling": true] : [:]
            callee = join(roles: ["callee": ["features": features]])
        }

        mutating func join(roles: [String: WAMPValue]) -> ConnectionID {
            let connection = core.connect(now: start)!
            _ = core.receive(.hello(.init(realm: "realm1", details: ["roles": .dict(roles)])), from: connection, now: start)
            return connection
        }

        mutating func receive(_ message: WAMPMessage, from connection: ConnectionID, at offset: Duration = .zero) -> [RouterAction] {
            core.receive(message, from: connection, now: start + offset)
        }
    }

    @Test("HELLO to a configured realm is welcomed with the router's roles and an ID in 1 ... 2^53")
    func welcome() throws {
        var core = RouterCore(configuration: .init())
        let connected = core.connect(now: .now)
        let connection = try #require(connected)
        let actions = core.receive(
            .hello(.init(realm: "realm1", details: ["roles": ["subscriber": [:]]])), from: connection, now: .now)
        guard case .send(.welcome(let welcome), to: connection)? = actions.first, actions.count == 1 else {
            Issue.record("expected one WELCOME, got \(actions)")
            return
        }
        #expect(WAMPID.wampRange.contains(welcome.session))
        #expect(welcome.details["authmethod"] == "anonymous")
        #expect(welcome.details["authrole"] == "anonymous")
        #expect(welcome.details["authid"] == .string(String(welcome.session)))
        #expect(welcome.details["roles"]?["broker"]?["features"]?["pattern_based_subscription"] == true)
        #expect(welcome.details["roles"]?["dealer"]?["features"]?["call_timeout"] == true)
        #expect(welcome.details["roles"]?["dealer"]?["features"]?["progressive_call_invocations"] == nil)
    }

    @Test("the dealer cancels a call at its timeout: ERROR canceled to the caller, INTERRUPT to the callee")
    func dealerTimeout() throws {
        var f = Fixture()
        _ = f.receive(.register(.init(request: 1, procedure: "slow")), from: f.callee)
        let callActions = f.receive(.call(.init(request: 7, options: ["timeout": 1500], procedure: "slow")), from: f.caller)
        guard case .send(.invocation(let invocation), to: f.callee)? = callActions.first else {
            Issue.record("expected INVOCATION, got \(callActions)")
            return
        }
        #expect(invocation.details["timeout"] == 1500)
        #expect(callActions.contains(.rescheduleTimer(f.caller)))
        let armed = f.core.armTimer(f.caller)
        #expect(armed == f.start + .milliseconds(1500))

        let early = f.core.expire(f.caller, now: f.start + .milliseconds(1499))
        #expect(early.isEmpty)
        let expired = f.core.expire(f.caller, now: f.start + .milliseconds(1500))
        #expect(expired == [
            .send(.interrupt(.init(request: invocation.request, options: ["mode": "killnowait", "reason": "wamp.error.timeout"])),
                  to: f.callee),
            .send(RouterCore.error(.call, 7, "wamp.error.canceled", "the call timed out"), to: f.caller),
        ])
        // The callee's late answer goes nowhere.
        let late = f.receive(.yield(.init(request: invocation.request)), from: f.callee, at: .seconds(2))
        #expect(late.isEmpty)
        let rearmed = f.core.armTimer(f.caller)
        #expect(rearmed == nil)
    }

    @Test("the caller's timer is woken only when a call's deadline comes before the one it waits for")
    func timerRescheduling() {
        var f = Fixture()
        _ = f.receive(.register(.init(request: 1, procedure: "p")), from: f.callee)
        let first = f.receive(.call(.init(request: 1, options: ["timeout": 5000], procedure: "p")), from: f.caller)
        #expect(first.contains(.rescheduleTimer(f.caller)))
        let later = f.receive(.call(.init(request: 2, options: ["timeout": 9000], procedure: "p")), from: f.caller)
        #expect(!later.contains(.rescheduleTimer(f.caller)))
        let earlier = f.receive(.call(.init(request: 3, options: ["timeout": 100], procedure: "p")), from: f.caller)
        #expect(earlier.contains(.rescheduleTimer(f.caller)))
        let armed = f.core.armTimer(f.caller)
        #expect(armed == f.start + .milliseconds(100))
    }

    @Test("a call answered before its timeout takes its deadline with it: the timer waits for the next call's, then none")
    func answeredCallLeavesNoDeadline() throws {
        var f = Fixture()
        _ = f.receive(.register(.init(request: 1, procedure: "p")), from: f.callee)
        let short = f.receive(.call(.init(request: 1, options: ["timeout": 100], procedure: "p")), from: f.caller)
        let long = f.receive(.call(.init(request: 2, options: ["timeout": 5000], procedure: "p")), from: f.caller)
        _ = f.receive(.call(.init(request: 3, procedure: "p")), from: f.caller)
        guard case .send(.invocation(let first), _)? = short.first, case .send(.invocation(let second), _)? = long.first else {
            Issue.record("expected two INVOCATIONs, got \(short) and \(long)")
            return
        }
        _ = f.receive(.yield(.init(request: first.request)), from: f.callee)
        #expect(f.core.armTimer(f.caller) == f.start + .milliseconds(5000))
        // Nothing expires at the answered call's deadline.
        #expect(f.core.expire(f.caller, now: f.start + .milliseconds(100)).isEmpty)
        _ = f.receive(.yield(.init(request: second.request)), from: f.callee)
        #expect(f.core.armTimer(f.caller) == nil)
        #expect(f.core.sessions.values.allSatisfy { $0.callDeadlines.isEmpty })
    }

    @Test("CANCEL to a callee without call_canceling is skip: no INTERRUPT")
    func cancelFallsBackToSkip() throws {
        var f = Fixture(calleeCancels: false)
        _ = f.receive(.register(.init(request: 1, procedure: "p")), from: f.callee)
        _ = f.receive(.call(.init(request: 3, procedure: "p")), from: f.caller)
        let actions = f.receive(.cancel(.init(request: 3, options: ["mode": "kill"])), from: f.caller)
        #expect(actions == [.send(RouterCore.error(.call, 3, "wamp.error.canceled", "the call was canceled"), to: f.caller)])
    }

    @Test("a connection without HELLO is closed at the hello timeout")
    func helloTimeout() throws {
        var core = RouterCore(configuration: .init())
        let start = ContinuousClock.now
        let connected = core.connect(now: start)
        let connection = try #require(connected)
        let armed = core.armTimer(connection)
        #expect(armed == start + .seconds(10))
        let early = core.expire(connection, now: start + .seconds(9))
        #expect(early.isEmpty)
        let expired = core.expire(connection, now: start + .seconds(10))
        #expect(expired == [.close(connection)])
        let open = core.isOpen(connection)
        #expect(!open)
    }

    @Test("shutdown says GOODBYE to each session, refuses new connections, closes on the reply")
    func shutdown() throws {
        var f = Fixture()
        let actions = f.core.shutdown(now: f.start)
        let goodbye = WAMPMessage.goodbye(.init(details: ["message": "the router is shutting down"], reason: "wamp.close.system_shutdown"))
        #expect(actions.contains(.send(goodbye, to: f.caller)))
        #expect(actions.contains(.send(goodbye, to: f.callee)))
        let refused = f.core.connect(now: f.start)
        #expect(refused == nil)
        let ignored = f.receive(.call(.init(request: 1, procedure: "p")), from: f.caller)
        #expect(ignored.isEmpty)
        let reply = f.receive(.goodbye(.init(reason: "wamp.close.goodbye_and_out")), from: f.caller)
        #expect(reply == [.close(f.caller)])
        let expired = f.core.expire(f.callee, now: f.start + .seconds(5))
        #expect(expired == [.close(f.callee)])
        #expect(f.core.sessions.isEmpty)
    }

    @Test("an INVOCATION too large for the callee's transport fails the call with payload_size_exceeded, no INTERRUPT")
    func undeliverableInvocation() throws {
        var f = Fixture()
        _ = f.receive(.register(.init(request: 1, procedure: "p")), from: f.callee)
        guard case .send(let invocation, _)? = f.receive(.call(.init(request: 4, procedure: "p")), from: f.caller).first else {
            Issue.record("no INVOCATION")
            return
        }
        let actions = f.core.undeliverable(invocation, to: f.callee)
        #expect(actions == [.send(
            RouterCore.error(.call, 4, "wamp.error.payload_size_exceeded",
                             "the call's arguments are larger than the callee's transport accepts"),
            to: f.caller)])
        #expect(f.core.sessions.values.allSatisfy { $0.calls.isEmpty && $0.callDeadlines.isEmpty && $0.invocations.isEmpty })
    }
}
