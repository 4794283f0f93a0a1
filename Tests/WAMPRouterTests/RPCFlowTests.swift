import JSONSerializer
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

@Suite("Remote procedure calls over an in-memory transport", .scaledTimeLimit(minutes: 1))
struct RPCFlowTests {
    @Test("CALL → INVOCATION → YIELD → RESULT, with args and kwargs both ways")
    func callAndResult() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            let registration = try await callee.register("com.example.add")
            let request = try await caller.call("com.example.add", payload: .arguments([2, 3], ["round": true]))
            let invocation = try await callee.receiveInvocation()
            #expect(invocation.registration == registration)
            #expect(invocation.args == [2, 3] && invocation.kwargs == ["round": true])
            #expect(invocation.details.isEmpty)
            try await callee.send(.yield(.init(request: invocation.request, payload: .arguments([5], ["exact": true]))))
            #expect(try await caller.receive() == .result(.init(request: request, payload: .arguments([5], ["exact": true]))))
        }
    }

    @Test("a callee's ERROR reaches the caller with its URI, details, args and kwargs")
    func calleeError() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.divide")
            let request = try await caller.call("com.example.divide", payload: .arguments([1, 0], [:]))
            let invocation = try await callee.receiveInvocation()
            try await callee.send(.error(.init(
                requestType: .invocation, request: invocation.request, details: ["hint": "zero"],
                error: "com.example.division_by_zero", payload: .arguments([1], ["divisor": 0]))))
            #expect(try await caller.receive() == .error(.init(
                requestType: .call, request: request, details: ["hint": "zero"], error: "com.example.division_by_zero",
                payload: .arguments([1], ["divisor": 0]))))
        }
    }

    @Test("no registration is no_such_procedure; a second single REGISTER is procedure_already_exists")
    func registrationErrors() async throws {
        try await RouterHarness.run { harness in
            let a = try await harness.join()
            let b = try await harness.join()
            let request = try await a.call("com.example.nothing")
            let missing = try await a.receiveError()
            #expect(missing.request == request && missing.error == "wamp.error.no_such_procedure")
            let id = try await a.register("com.example.p")
            try await b.send(.register(.init(request: 9, procedure: "com.example.p")))
            #expect(try await b.receiveError().error == "wamp.error.procedure_already_exists")
            try await b.send(.register(.init(request: 10, procedure: "wamp.session.count")))
            #expect(try await b.receiveError().error == "wamp.error.invalid_uri")
            try await a.send(.unregister(.init(request: 11, registration: id)))
            #expect(try await a.receive() == .unregistered(.init(request: 11)))
            try await a.send(.unregister(.init(request: 12, registration: id)))
            #expect(try await a.receiveError().error == "wamp.error.no_such_registration")
            _ = try await b.register("com.example.p")
        }
    }

    @Test("pattern registrations get the called procedure in Details.procedure; exact ones win")
    func patternRegistrations() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            let prefix = try await callee.register("com.example.", ["match": "prefix"])
            let wildcard = try await callee.register("com..get", ["match": "wildcard"])
            let exact = try await callee.register("com.example.exact")
            try await caller.call("com.example.thing")
            let first = try await callee.receiveInvocation()
            #expect(first.registration == prefix && first.details == ["procedure": "com.example.thing"])
            try await caller.call("com.other.get")
            let second = try await callee.receiveInvocation()
            #expect(second.registration == wildcard && second.details == ["procedure": "com.other.get"])
            try await caller.call("com.example.exact")
            let third = try await callee.receiveInvocation()
            #expect(third.registration == exact && third.details.isEmpty)
        }
    }

    @Test("shared registrations: roundrobin alternates, first and last pick by registration order, a different policy is refused")
    func sharedRegistrations() async throws {
        try await RouterHarness.run { harness in
            let one = try await harness.join()
            let two = try await harness.join()
            let caller = try await harness.join()
            let id = try await one.register("com.example.rr", ["invoke": "roundrobin"])
            #expect(try await two.register("com.example.rr", ["invoke": "roundrobin"]) == id)
            for callee in [one, two, one] {
                try await caller.call("com.example.rr")
                let invocation = try await callee.receiveInvocation()
                try await callee.send(.yield(.init(request: invocation.request)))
                _ = try await caller.receiveResult()
            }
            try await caller.send(.register(.init(request: 77, options: ["invoke": "random"], procedure: "com.example.rr")))
            #expect(try await caller.receiveError().error == "wamp.error.procedure_exists_with_different_invocation_policy")

            _ = try await one.register("com.example.last", ["invoke": "last"])
            _ = try await two.register("com.example.last", ["invoke": "last"])
            try await caller.call("com.example.last")
            _ = try await two.receiveInvocation()
            _ = try await one.register("com.example.first", ["invoke": "first"])
            _ = try await two.register("com.example.first", ["invoke": "first"])
            try await caller.call("com.example.first")
            _ = try await one.receiveInvocation()
        }
    }

    @Test("caller disclosure: on the caller's disclose_me and on the callee's disclose_caller")
    func callerDisclosure() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.open")
            _ = try await callee.register("com.example.curious", ["disclose_caller": true])
            let identity: [String: WAMPValue] = [
                "caller": .integer(exactly: caller.session), "caller_authid": .string(String(caller.session)),
                "caller_authrole": "anonymous",
            ]
            try await caller.call("com.example.open", ["disclose_me": true])
            #expect(try await callee.receiveInvocation().details == identity)
            try await caller.call("com.example.curious")
            #expect(try await callee.receiveInvocation().details == identity)
            try await caller.call("com.example.open")
            #expect(try await callee.receiveInvocation().details.isEmpty)
        }
    }

    @Test("progressive results reach a caller that asked for them, then the final RESULT")
    func progressiveResults() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.count")
            let request = try await caller.call("com.example.count", ["receive_progress": true])
            let invocation = try await callee.receiveInvocation()
            #expect(invocation.details["receive_progress"] == true)
            for n in 1 ... 3 {
                try await callee.send(.yield(.init(request: invocation.request, options: ["progress": true], payload: .arguments([.integer(Int64(n))], [:]))))
            }
            try await callee.send(.yield(.init(request: invocation.request, payload: .arguments(["done"], [:]))))
            for n in 1 ... 3 {
                #expect(try await caller.receive() == .result(.init(
                    request: request, details: ["progress": true], payload: .arguments([.integer(Int64(n))], [:]))))
            }
            #expect(try await caller.receive() == .result(.init(request: request, payload: .arguments(["done"], [:]))))

            // A caller that did not ask gets the final RESULT only.
            let plain = try await caller.call("com.example.count")
            let second = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: second.request, options: ["progress": true], payload: .arguments([1], [:]))))
            try await callee.send(.yield(.init(request: second.request, payload: .arguments(["done"], [:]))))
            #expect(try await caller.receive() == .result(.init(request: plain, payload: .arguments(["done"], [:]))))
        }
    }

    @Test("CANCEL skip answers at once and drops the callee's late answer, without INTERRUPT")
    func cancelSkip() async throws {
        try await RouterHarness.run { harness in
            let (callee, caller, request, invocation) = try await harness.callInFlight()
            try await caller.send(.cancel(.init(request: request, options: ["mode": "skip"])))
            let error = try await caller.receiveError()
            #expect(error.request == request && error.error == "wamp.error.canceled")
            try await callee.send(.yield(.init(request: invocation.request, payload: .arguments(["late"], [:]))))
            // Next call: the callee's next message is its INVOCATION (no INTERRUPT came), and the
            // caller's next message is that call's RESULT (the late answer was dropped).
            let next = try await caller.call("com.example.slow")
            let nextInvocation = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: nextInvocation.request)))
            #expect(try await caller.receive() == .result(.init(request: next)))
        }
    }

    @Test("CANCEL killnowait answers at once and sends INTERRUPT")
    func cancelKillNoWait() async throws {
        try await RouterHarness.run { harness in
            let (callee, caller, request, invocation) = try await harness.callInFlight()
            try await caller.send(.cancel(.init(request: request, options: [:])))
            #expect(try await caller.receiveError().error == "wamp.error.canceled")
            let interrupt = try await callee.receiveInterrupt()
            #expect(interrupt.request == invocation.request && interrupt.options["mode"] == "killnowait")
        }
    }

    @Test("CANCEL kill sends INTERRUPT and the callee's answer ends the call")
    func cancelKill() async throws {
        try await RouterHarness.run { harness in
            let (callee, caller, request, invocation) = try await harness.callInFlight()
            try await caller.send(.cancel(.init(request: request, options: ["mode": "kill"])))
            let interrupt = try await callee.receiveInterrupt()
            #expect(interrupt.request == invocation.request && interrupt.options["mode"] == "kill")
            try await callee.send(.error(.init(
                requestType: .invocation, request: invocation.request, error: "wamp.error.canceled", payload: .arguments(["stopped at 40%"], [:]))))
            let error = try await caller.receiveError()
            #expect(error.request == request && error.error == "wamp.error.canceled" && error.args == ["stopped at 40%"])
        }
    }

    @Test("the dealer enforces CALL timeout: ERROR canceled to the caller, INTERRUPT to the callee")
    func dealerTimeout() async throws {
        try await RouterHarness.run { harness in
            let (callee, caller, request, invocation) = try await harness.callInFlight("com.example.never", ["timeout": 20])
            #expect(invocation.details["timeout"] == 20)
            let error = try await caller.receiveError()
            #expect(error.request == request && error.error == "wamp.error.canceled")
            let interrupt = try await callee.receiveInterrupt()
            #expect(interrupt.request == invocation.request && interrupt.options["reason"] == "wamp.error.timeout")
        }
    }

    @Test("a callee leaving with calls in flight: each caller gets ERROR canceled")
    func calleeLeaves() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let a = try await harness.join()
            let b = try await harness.join()
            _ = try await callee.register("com.example.p")
            let ra = try await a.call("com.example.p")
            let rb = try await b.call("com.example.p")
            _ = try await callee.receiveInvocation()
            _ = try await callee.receiveInvocation()
            try await callee.transport.close()
            for (peer, request) in [(a, ra), (b, rb)] {
                let error = try await peer.receiveError()
                #expect(error.request == request && error.error == "wamp.error.canceled")
            }
            try await a.call("com.example.p")
            #expect(try await a.receiveError().error == "wamp.error.no_such_procedure")
        }
    }

    @Test("a CALL reusing the ID of a call in flight is a protocol violation")
    func reusedCallID() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.p")
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            _ = try await callee.receiveInvocation()
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            #expect(try await caller.receiveAbort().reason == "wamp.error.protocol_violation")
            // The caller left: its callee is told to stop.
            #expect(try await callee.receiveInterrupt().options["mode"] == "killnowait")
        }
    }

    @Test("a CALL request ID is free again once its call ended: answered, failed by the callee, or canceled")
    func callIDReusedAfterTheCallEnded() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.p")
            // Answered.
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            let first = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: first.request)))
            #expect(try await caller.receiveResult().request == 5)
            // The same ID again; failed by the callee.
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            let second = try await callee.receiveInvocation()
            try await callee.send(.error(.init(requestType: .invocation, request: second.request, error: "com.example.failed")))
            #expect(try await caller.receiveError().error == "com.example.failed")
            // Again; canceled (skip: the callee is not told).
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            _ = try await callee.receiveInvocation()
            try await caller.send(.cancel(.init(request: 5, options: ["mode": "skip"])))
            #expect(try await caller.receiveError().error == "wamp.error.canceled")
            // And once more: still a call, not a protocol violation.
            try await caller.send(.call(.init(request: 5, procedure: "com.example.p")))
            let last = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: last.request)))
            #expect(try await caller.receiveResult().request == 5)
        }
    }

    @Test("a YIELD or an ERROR for an INVOCATION never sent to the callee is a protocol violation; other sessions go on",
          arguments: [false, true])
    func answerToUnknownInvocation(asError: Bool) async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            let breaker = try await harness.join()
            _ = try await callee.register("com.example.p")
            let request = try await caller.call("com.example.p")
            let invocation = try await callee.receiveInvocation()
            // One more than any INVOCATION ID the router has sent.
            let unknown = invocation.request + 1
            try await breaker.send(
                asError
                    ? .error(.init(requestType: .invocation, request: unknown, error: "com.example.nope"))
                    : .yield(.init(request: unknown)))
            let abort = try await breaker.receiveAbort()
            #expect(abort.reason == "wamp.error.protocol_violation")
            // The call in flight is untouched.
            try await callee.send(.yield(.init(request: invocation.request, payload: .arguments(["fine"], [:]))))
            #expect(try await caller.receiveResult().request == request)
        }
    }
}

@Suite("Messages larger than a session's transport accepts", .scaledTimeLimit(minutes: 1))
struct OversizedMessageTests {
    /// JSON on the way, at most 1000 octets a message.
    static let small: InMemoryTransport.Configuration = {
        var configuration = InMemoryTransport.Configuration(serializer: WAMPJSONSerializer())
        configuration.maxSendLength = 1000
        return configuration
    }()

    static let large = WAMPPayload.arguments([.string(String(repeating: "x", count: 2000))], [:])

    @Test("a RESULT too large for the caller's transport becomes ERROR payload_size_exceeded")
    func resultTooLarge() async throws {
        try await RouterHarness.run { harness in
            let callee = try await harness.join()
            let caller = harness.connect(Self.small)
            try await caller.join()
            _ = try await callee.register("com.example.big")
            let request = try await caller.call("com.example.big")
            let invocation = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: invocation.request, payload: Self.large)))
            let error = try await caller.receiveError()
            #expect(error.request == request && error.error == "wamp.error.payload_size_exceeded")
        }
    }

    @Test("an INVOCATION too large for the callee's transport fails the call, and the callee goes on")
    func invocationTooLarge() async throws {
        try await RouterHarness.run { harness in
            let callee = harness.connect(Self.small)
            try await callee.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.p")
            let request = try await caller.call("com.example.p", payload: Self.large)
            let error = try await caller.receiveError()
            #expect(error.request == request && error.error == "wamp.error.payload_size_exceeded")
            let next = try await caller.call("com.example.p")
            let invocation = try await callee.receiveInvocation()
            try await callee.send(.yield(.init(request: invocation.request)))
            #expect(try await caller.receive() == .result(.init(request: next)))
        }
    }
}
