import Testing
import Transport
@testable import WAMPSession

/// The session's protocol logic without a transport: events in, actions out.
@Suite("Session state machine")
struct WAMPSessionStateMachineTests {
    typealias Machine = WAMPSessionStateMachine

    /// A machine joined (session 7) on its first transport, reconnecting when `canReconnect`.
    func joined(_ configuration: WAMPSession.Configuration = .init(), canReconnect: Bool = false) throws -> Machine {
        var machine = Machine(realm: "realm1", configuration: configuration, canReconnect: canReconnect, random: { 0.5 })
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        _ = machine.received(.welcome(.init(session: 7)), generation: machine.generation)
        #expect(machine.phase == .established)
        return machine
    }

    /// A configuration that reconnects after 100 ms, 200 ms, ... without jitter.
    var reconnecting: WAMPSession.Configuration {
        var configuration = WAMPSession.Configuration()
        configuration.reconnect = WAMPReconnectPolicy(initialDelay: .milliseconds(100), jitter: 0, maxAttempts: 2)
        return configuration
    }

    // MARK: - Joining

    @Test("joining: HELLO under the join timer; WELCOME completes the join and emits joined")
    func join() throws {
        var machine = Machine(realm: "realm1", configuration: .init(), canReconnect: false)
        #expect(machine.nextConnection().0 == .connect(after: .zero))
        let opened = machine.transportOpened()
        let hello = try #require(opened)
        #expect(hello.map(\.description) == ["send HELLO", "start timer join 1 for 10.0 seconds"])
        guard case .send(.hello(let message)) = hello.first else { Issue.record("no HELLO"); return }
        #expect(message.realm == "realm1")
        let welcome = machine.received(.welcome(.init(session: 7, details: ["authid": "joe"])), generation: 1)
        #expect(welcome.map(\.description) == ["cancel timer join 1", "complete the join", "emit joined session 7"])
        #expect(machine.sessionID == 7)
        #expect(machine.welcomeDetails["authid"] == "joe")
        #expect(machine.nextConnection().0 == .stop)
    }

    @Test("the join timer ends the first join with .joinTimedOut: the transport closes, the session closes")
    func joinTimeout() throws {
        var machine = Machine(realm: "realm1", configuration: .init(), canReconnect: false)
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        #expect(machine.timerFired(.join(generation: 0)).isEmpty)  // an older transport's timer
        let actions = machine.timerFired(.join(generation: 1))
        guard case .completeJoin(.failure(let error as WAMPSessionError)) = actions.first(where: { if case .completeJoin = $0 { true } else { false } }) else {
            Issue.record("the join should fail: \(actions)")
            return
        }
        #expect(error.code == .joinTimedOut)
        #expect(actions.map(\.description).contains("close the transport"))
        #expect(actions.map(\.description).suffix(3) == ["emit closed: could not join realm \"realm1\": \(error)", "finish the life cycle", "complete the leave"])
        #expect(machine.phase == .closed)
        #expect(machine.transportOpened() == nil)  // no transport is wanted any more
    }

    @Test("CHALLENGE for a configured method is answered with AUTHENTICATE; for another, ABORT and .authenticationFailed")
    func challenge() throws {
        var configuration = WAMPSession.Configuration()
        configuration.authentication = .ticket(authid: "joe", ticket: "secret")
        var machine = Machine(realm: "realm1", configuration: configuration, canReconnect: false)
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        let answer = machine.received(.challenge(.init(authMethod: "ticket")), generation: 1)
        guard case .send(.authenticate(let authenticate)) = answer.first else { Issue.record("no AUTHENTICATE: \(answer)"); return }
        #expect(authenticate.signature == "secret")
        let refused = machine.received(.challenge(.init(authMethod: "wampcra", extra: ["challenge": "x"])), generation: 1)
        #expect(refused.first?.description == "send ABORT")
        guard case .completeJoin(.failure(let error as WAMPSessionError)) = refused.first(where: { if case .completeJoin = $0 { true } else { false } }) else {
            Issue.record("the join should fail: \(refused)")
            return
        }
        #expect(error.code == .authenticationFailed)
    }

    @Test("requests need a joined session: .notJoined before the join")
    func notJoined() {
        var machine = Machine(realm: "realm1", configuration: .init(), canReconnect: false)
        let error = #expect(throws: WAMPSessionError.self) {
            try machine.call("com.example.p", args: [], kwargs: [:], options: .init())
        }
        #expect(error?.code == .notJoined)
    }

    // MARK: - Requests

    @Test("a RESULT for a waiting call resumes it and stops its timeout timer")
    func callResult() throws {
        var machine = try joined()
        let started = try machine.call("com.example.add", args: [2, 3], kwargs: [:], options: .init(timeout: .seconds(5)))
        #expect(started.actions.map(\.description) == ["start timer request 1 for 5.0 seconds"])
        guard case .call(let call) = started.message else { Issue.record("no CALL"); return }
        #expect(call.procedure == "com.example.add")
        guard case .wait = machine.requestSent(started.handle) else { Issue.record("the requester should wait"); return }
        let reply = machine.received(.result(.init(request: 1, payload: .arguments([5], [:]))), generation: machine.generation)
        #expect(reply.map(\.description) == ["cancel timer request 1", "resume request 1 with RESULT"])
    }

    @Test("a reply arriving while the requester still sends is kept for it")
    func replyDuringSend() throws {
        var machine = try joined()
        let started = try machine.call("com.example.p", args: [], kwargs: [:], options: .init())
        #expect(machine.received(.result(.init(request: 1)), generation: machine.generation).isEmpty)
        guard case .complete(.success(.result)) = machine.requestSent(started.handle) else {
            Issue.record("the requester should get the RESULT at once")
            return
        }
    }

    @Test("a call timeout while the requester still sends (back-pressure): CANCEL; the RESULT after it is late; the requester gets .callTimedOut")
    func timeoutDuringSend() throws {
        var machine = try joined()
        let started = try machine.call("com.example.slow", args: [], kwargs: [:], options: .init(timeout: .milliseconds(20), cancelMode: .kill))
        let timedOut = machine.timerFired(.request(started.handle))
        #expect(timedOut.map(\.description) == ["cancel timer request 1", "send CANCEL 1"])
        #expect(machine.received(.result(.init(request: 1)), generation: machine.generation).isEmpty)  // late, not a violation
        #expect(machine.phase == .established)
        guard case .complete(.failure(let error as WAMPSessionError)) = machine.requestSent(started.handle) else {
            Issue.record("the requester should get .callTimedOut")
            return
        }
        #expect(error.code == .callTimedOut)
    }

    @Test("a second RESULT for a call is a protocol violation: ABORT, disconnected, pending requests fail, closed")
    func secondReply() throws {
        var machine = try joined()
        let first = try machine.call("com.example.a", args: [], kwargs: [:], options: .init())
        _ = machine.requestSent(first.handle)
        let second = try machine.call("com.example.b", args: [], kwargs: [:], options: .init())
        _ = machine.requestSent(second.handle)
        _ = machine.received(.result(.init(request: 1)), generation: machine.generation)
        let actions = machine.received(.result(.init(request: 1)), generation: machine.generation)
        #expect(actions.first?.description == "send ABORT")
        #expect(actions.contains { if case .resume(let handle, .failure(let error as WAMPSessionError)) = $0 { handle == second.handle && error.code == .protocolViolation } else { false } })
        #expect(actions.contains { if case .emit(.disconnected) = $0 { true } else { false } })
        #expect(machine.phase == .closed)
    }

    @Test("cancelling a waiting call: the requester gets the error, CANCEL carries the call's mode, the dealer's late ERROR is ignored")
    func abandonWaitingCall() throws {
        var machine = try joined()
        let started = try machine.call("com.example.slow", args: [], kwargs: [:], options: .init(cancelMode: .skip))
        _ = machine.requestSent(started.handle)
        let actions = machine.abandon(started.handle, CancellationError())
        #expect(actions.map(\.description) == ["resume request 1 throwing CancellationError()", "send CANCEL 1"])
        guard case .send(.cancel(let cancel)) = actions.last else { return }
        #expect(cancel.options["mode"] == "skip")
        #expect(machine.abandon(started.handle, CancellationError()).isEmpty)  // given up once
        let late = machine.received(.error(.init(requestType: .call, request: 1, error: WAMPError.canceledURI)), generation: machine.generation)
        #expect(late.isEmpty)
    }

    @Test("a request whose send failed is dropped with what it was for: a subscription ends")
    func sendFailed() throws {
        struct TooLarge: Error {}
        var machine = try joined()
        let (token, started) = try machine.subscribe("com.example.t", options: [:])
        #expect(machine.requestNotSent(started.handle, TooLarge()).map(\.description) == ["finish subscription \(token) throwing TooLarge()"])
        #expect(machine.received(.subscribed(.init(request: 1, subscription: 9)), generation: machine.generation).first?.description == "send ABORT")
    }

    @Test("acknowledged PUBLISH awaits PUBLISHED; unacknowledged gets an ID and awaits nothing")
    func publish() throws {
        var machine = try joined()
        let plain = try machine.publish("com.example.t", args: [1], kwargs: [:], options: [:], acknowledge: false)
        #expect(plain.request == nil)
        guard case .publish(let message) = plain.message else { Issue.record("no PUBLISH"); return }
        #expect(message.request == 1)
        let acknowledged = try machine.publish("com.example.t", args: [], kwargs: [:], options: [:], acknowledge: true)
        let request = try #require(acknowledged.request)
        _ = machine.requestSent(request.handle)
        let reply = machine.received(.published(.init(request: 2, publication: 99)), generation: machine.generation)
        #expect(reply.map(\.description) == ["resume request 2 with PUBLISHED"])
    }

    // MARK: - Losing the transport

    @Test("the transport lost without reconnection: disconnected, pending requests fail with .connectionLost, subscriptions finish throwing it, closed")
    func lostWithoutReconnect() throws {
        var machine = try joined()
        let call = try machine.call("com.example.p", args: [], kwargs: [:], options: .init())
        _ = machine.requestSent(call.handle)
        let token = try machine.subscribed("com.example.t", as: 9)
        let actions = machine.transportClosed(nil, generation: machine.generation)
        #expect(actions.map(\.description) == [
            "emit disconnected: the transport closed",
            "cancel timer join 1", "cancel timer leave",
            "resume request 1 throwing WAMPSessionError.connectionLost: the transport closed",
            "finish subscription \(token) throwing WAMPSessionError.connectionLost: the transport closed",
            "close the transport", "emit closed: the transport closed", "finish the life cycle", "complete the leave",
        ])
        #expect(machine.nextConnection().0 == .stop)
    }

    @Test("the transport lost with reconnection: backoff, a failed attempt reported, the re-join restores the subscription and the registration")
    func reconnectAndRestore() throws {
        struct Refused: Error {}
        var machine = try joined(reconnecting, canReconnect: true)
        let subscription = try machine.subscribed("com.example.t", as: 100)
        _ = try machine.registered("com.example.p", as: 200)
        let call = try machine.call("com.example.slow", args: [], kwargs: [:], options: .init())
        _ = machine.requestSent(call.handle)

        let lost = machine.transportClosed(nil, generation: machine.generation)
        #expect(lost.map(\.description) == [
            "emit disconnected: the transport closed",
            "resume request 3 throwing WAMPSessionError.connectionLost: the transport closed",
            "close the transport",
        ])
        #expect(machine.phase == .disconnected)
        #expect(machine.deliver(.init(subscription: 100, publication: 1)).isEmpty)  // unbound until the re-join

        let first = machine.nextConnection()
        #expect(first.0 == .connect(after: .milliseconds(100)))
        #expect(first.1.map(\.description) == ["emit reconnecting (attempt 1) in 0.1 seconds"])
        #expect(machine.connectFailed(Refused()).map(\.description) == ["emit reconnection attempt 1 failed: Refused()"])
        #expect(machine.nextConnection().0 == .connect(after: .milliseconds(200)))

        let opened = machine.transportOpened()
        let hello = try #require(opened)
        #expect(hello.first?.description == "send HELLO")
        let welcome = machine.received(.welcome(.init(session: 8)), generation: machine.generation)
        #expect(welcome.map(\.description) == ["cancel timer join 3", "emit joined session 8", "send SUBSCRIBE 1", "send REGISTER 2"])
        #expect(machine.received(.subscribed(.init(request: 1, subscription: 101)), generation: machine.generation).isEmpty)
        let restored = machine.received(.registered(.init(request: 2, registration: 201)), generation: machine.generation)
        #expect(restored.map(\.description) == ["emit restored 1 subscriptions and 1 registrations"])
        #expect(machine.deliver(.init(subscription: 101, publication: 2)).map(\.description) == ["deliver event 2 to subscription \(subscription)"])
        let invocation = machine.received(.invocation(.init(request: 5, registration: 201)), generation: machine.generation)
        #expect(invocation.map(\.description) == ["start invocation 5 of com.example.p"])
    }

    @Test("a subscription not confirmed when the transport drops ends with the error and is not restored")
    func unconfirmedSubscriptionDropped() throws {
        var machine = try joined(reconnecting, canReconnect: true)
        let (token, subscribe) = try machine.subscribe("com.example.t", options: [:])
        _ = machine.requestSent(subscribe.handle)
        let lost = machine.transportClosed(nil, generation: machine.generation)
        #expect(lost.map(\.description).contains("finish subscription \(token) throwing WAMPSessionError.connectionLost: the transport closed"))
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        let welcome = machine.received(.welcome(.init(session: 8)), generation: machine.generation)
        #expect(welcome.map(\.description).suffix(1) == ["emit restored 0 subscriptions and 0 registrations"])
    }

    @Test("a subscription ended while its restoration is under way is unsubscribed when SUBSCRIBED comes")
    func subscriptionEndedDuringRestore() throws {
        var machine = try joined(reconnecting, canReconnect: true)
        let token = try machine.subscribed("com.example.t", as: 100)
        _ = machine.transportClosed(nil, generation: machine.generation)
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        _ = machine.received(.welcome(.init(session: 8)), generation: machine.generation)  // SUBSCRIBE 1 again
        #expect(machine.subscriptionDropped(token).map(\.description) == ["finish subscription \(token)"])
        let subscribed = machine.received(.subscribed(.init(request: 1, subscription: 101)), generation: machine.generation)
        #expect(subscribed.map(\.description) == ["send UNSUBSCRIBE 2", "emit restored 0 subscriptions and 0 registrations"])
        #expect(machine.received(.unsubscribed(.init(request: 2)), generation: machine.generation).isEmpty)
    }

    @Test("reconnection gives up after maxAttempts: the session closes with .connectionLost")
    func reconnectGivesUp() throws {
        struct Refused: Error {}
        var machine = try joined(reconnecting, canReconnect: true)
        _ = machine.transportClosed(nil, generation: machine.generation)
        for _ in 1 ... 2 {
            guard case .connect = machine.nextConnection().0 else { Issue.record("an attempt was expected"); return }
            _ = machine.connectFailed(Refused())
        }
        let (next, actions) = machine.nextConnection()
        #expect(next == .stop)
        #expect(actions.contains { $0.description == "emit closed: gave up reconnecting after 2 attempts" })
        #expect(machine.phase == .closed)
    }

    @Test("an invocation of a previous join completing after a reconnection is dropped, even under the same request ID")
    func staleInvocation() throws {
        var machine = try joined(reconnecting, canReconnect: true)
        _ = try machine.registered("com.example.p", as: 200)
        guard case .startInvocation(let old, _, _) = machine.received(.invocation(.init(request: 5, registration: 200)), generation: machine.generation).first else {
            Issue.record("the handler should start")
            return
        }
        #expect(machine.transportClosed(nil, generation: machine.generation).contains { $0.description == "interrupt invocation 5" })
        _ = machine.nextConnection()
        #expect(machine.transportOpened() != nil)
        _ = machine.received(.welcome(.init(session: 8)), generation: machine.generation)
        _ = machine.received(.registered(.init(request: 1, registration: 201)), generation: machine.generation)
        guard case .startInvocation(let new, _, _) = machine.received(.invocation(.init(request: 5, registration: 201)), generation: machine.generation).first else {
            Issue.record("the handler should start again")
            return
        }
        #expect(machine.invocationCompleted(old, .success(WAMPResult(args: ["old"]))).isEmpty)
        #expect(machine.invocationCompleted(new, .success(WAMPResult(args: ["new"]))).map(\.description) == ["answer YIELD 5"])
    }

    // MARK: - Leaving

    @Test("leave: pending requests fail with .sessionClosed, GOODBYE, the leave timer; the router's GOODBYE closes and completes the leave")
    func leave() throws {
        var machine = try joined()
        let call = try machine.call("com.example.p", args: [], kwargs: [:], options: .init())
        _ = machine.requestSent(call.handle)
        let (wait, actions) = machine.leave(reason: WAMPURI.closeNormal)
        #expect(wait)
        #expect(actions.map(\.description) == [
            "resume request 1 throwing WAMPSessionError.sessionClosed: the session left the realm with wamp.close.normal",
            "send GOODBYE", "start timer leave for 5.0 seconds",
        ])
        #expect(machine.leave(reason: WAMPURI.closeNormal).wait)  // a second leave waits too
        let goodbye = machine.received(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)), generation: machine.generation)
        #expect(goodbye.map(\.description).suffix(4) == [
            "close the transport", "emit closed: left with wamp.close.normal", "finish the life cycle", "complete the leave",
        ])
        #expect(machine.leave(reason: WAMPURI.closeNormal).wait == false)
    }

    @Test("leave without an answer: the leave timer closes the session")
    func leaveTimeout() throws {
        var machine = try joined()
        _ = machine.leave(reason: WAMPURI.closeNormal)
        let actions = machine.timerFired(.leave)
        #expect(actions.contains { $0.description == "complete the leave" })
        #expect(machine.phase == .closed)
    }

    @Test("a transport opened after the session left is refused")
    func transportAfterLeave() throws {
        var machine = try joined(reconnecting, canReconnect: true)
        _ = machine.transportClosed(nil, generation: machine.generation)
        _ = machine.nextConnection()
        #expect(machine.leave(reason: WAMPURI.closeNormal).wait == false)
        #expect(machine.transportOpened() == nil)
    }

    @Test("GOODBYE from the router: answered with goodbye_and_out; the session closes with the router's reason")
    func routerGoodbye() throws {
        var machine = try joined()
        let (token, subscribe) = try machine.subscribe("com.example.t", options: [:])
        _ = machine.requestSent(subscribe.handle)
        let actions = machine.received(.goodbye(.init(reason: "wamp.close.system_shutdown")), generation: machine.generation)
        guard case .send(.goodbye(let goodbye)) = actions.first else { Issue.record("no GOODBYE"); return }
        #expect(goodbye.reason == WAMPURI.goodbyeAndOut)
        #expect(actions.contains {
            if case .finishSubscription(token, let error as WAMPSessionError) = $0 { error.reason == "wamp.close.system_shutdown" } else { false }
        })
    }

    // MARK: - Roles

    @Test("two local subscriptions share a router subscription: both get each EVENT, the one left alone gets the next; UNSUBSCRIBE only for the last")
    func sharedSubscription() throws {
        var machine = try joined()
        let first = try machine.subscribed("com.example.t", as: 9)
        let second = try machine.subscribed("com.example.t", as: 9)
        #expect(machine.deliver(.init(subscription: 9, publication: 1)).map(\.description) == [
            "deliver event 1 to subscription \(first)", "deliver event 1 to subscription \(second)",
        ])
        let firstGone = machine.unsubscribe(token: first)
        #expect(firstGone.request == nil)
        #expect(firstGone.actions.map(\.description) == ["finish subscription \(first)"])
        #expect(machine.deliver(.init(subscription: 9, publication: 2)).map(\.description) == [
            "deliver event 2 to subscription \(second)",
        ])
        let secondGone = machine.unsubscribe(token: second)
        guard case .unsubscribe(let unsubscribe) = secondGone.request?.message else { Issue.record("no UNSUBSCRIBE"); return }
        #expect(unsubscribe.subscription == 9)
    }

    @Test("a subscription whose reader fell behind ends with .eventBufferOverflow and is unsubscribed with nobody waiting")
    func subscriptionOverflow() throws {
        var machine = try joined()
        let token = try machine.subscribed("com.example.t", as: 9)
        let actions = machine.subscriptionOverflowed(token)
        guard case .finishSubscription(token, let error as WAMPSessionError) = actions.first else { Issue.record("\(actions)"); return }
        #expect(error.code == .eventBufferOverflow)
        #expect(actions.last?.description == "send UNSUBSCRIBE 2")
        #expect(machine.received(.unsubscribed(.init(request: 2)), generation: machine.generation).isEmpty)
        #expect(machine.phase == .established)
    }

    @Test("invocations: the handler starts; beyond the limit ERROR at once; INTERRUPT cancels it and the answer is wamp.error.canceled")
    func invocations() throws {
        var configuration = WAMPSession.Configuration()
        configuration.maxConcurrentInvocations = 1
        var machine = try joined(configuration)
        _ = try machine.registered("com.example.p", as: 11)
        let unknown = machine.received(.invocation(.init(request: 3, registration: 999)), generation: machine.generation)
        guard case .send(.error(let noSuch)) = unknown.first else { Issue.record("\(unknown)"); return }
        #expect(noSuch.error == WAMPError.noSuchRegistrationURI)
        guard case .startInvocation(let running, _, let invocation) = machine.received(
            .invocation(.init(request: 4, registration: 11)), generation: machine.generation
        ).first else {
            Issue.record("the handler should start")
            return
        }
        #expect(invocation.procedure == "com.example.p")
        let refused = machine.received(.invocation(.init(request: 5, registration: 11)), generation: machine.generation)
        guard case .send(.error(let tooMany)) = refused.first else { Issue.record("\(refused)"); return }
        #expect(tooMany.error == WAMPError.runtimeErrorURI)
        #expect(machine.received(.interrupt(.init(request: 4)), generation: machine.generation).map(\.description) == ["interrupt invocation 4"])
        let answer = machine.invocationCompleted(running, .failure(CancellationError()))
        guard case .answer(.error(let canceled)) = answer.first else { Issue.record("\(answer)"); return }
        #expect(canceled.error == WAMPError.canceledURI)
    }

    @Test("progressive call: each result is yielded, the final one ends the sequence; unread results give the call up with CANCEL")
    func progressiveCall() throws {
        var machine = try joined()
        let started = try machine.call("com.example.count", args: [], kwargs: [:], options: .init(), progressive: true)
        guard case .call(let call) = started.message else { Issue.record("no CALL"); return }
        #expect(call.options["receive_progress"] == true)
        let progress = machine.received(.result(.init(request: 1, details: ["progress": true], payload: .arguments([1], [:]))), generation: machine.generation)
        #expect(progress.map(\.description) == ["yield result [1] to call 1"])
        let final = machine.received(.result(.init(request: 1, payload: .arguments([2], [:]))), generation: machine.generation)
        #expect(final.map(\.description) == ["yield result [2] to call 1", "finish call 1"])

        let flood = try machine.call("com.example.flood", args: [], kwargs: [:], options: .init(), progressive: true)
        let overflow = machine.progressOverflowed(flood.handle)
        guard case .finishProgress(_, let error as WAMPSessionError) = overflow.first else { Issue.record("\(overflow)"); return }
        #expect(error.code == .eventBufferOverflow)
        #expect(overflow.last?.description == "send CANCEL 2")
    }
}

extension WAMPSessionStateMachine {
    /// Subscribes to `topic` and confirms it with the router subscription `id`; the local token.
    mutating func subscribed(_ topic: String, as id: WAMPID) throws -> Int {
        let (token, started) = try subscribe(topic, options: [:])
        _ = requestSent(started.handle)
        _ = received(.subscribed(.init(request: started.handle.id, subscription: id)), generation: generation)
        return token
    }

    /// Registers `procedure` and confirms it with the router registration `id`; the local token.
    @discardableResult
    mutating func registered(_ procedure: String, as id: WAMPID) throws -> Int {
        let (token, started) = try register(procedure, options: [:]) { _ in WAMPResult() }
        _ = requestSent(started.handle)
        _ = received(.registered(.init(request: started.handle.id, registration: id)), generation: generation)
        return token
    }
}
