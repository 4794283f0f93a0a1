import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Callee and subscriber", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct CalleeSubscriberTests {
    /// Registers `procedure` and answers REGISTERED with registration 11.
    func register(
        _ session: WAMPSession, _ transport: FakeTransport, _ procedure: String,
        handler: @escaping WAMPSession.Handler
    ) async throws -> WAMPRegistration {
        async let registration = session.register(procedure, handler: handler)
        let register = try await transport.router.expect("REGISTER") { if case .register(let r) = $0 { r } else { nil } }
        #expect(register.procedure == procedure)
        transport.router.send(.registered(.init(request: register.request, registration: 11)))
        return try await registration
    }

    @Test("an INVOCATION runs the handler; its return value is the YIELD")
    func invocationYields() async throws {
        try await withJoinedSession { session, transport in
            _ = try await register(session, transport, "com.example.echo") { invocation in
                WAMPResult(args: invocation.args, kwargs: invocation.kwargs)
            }
            transport.router.send(.invocation(.init(request: 501, registration: 11, payload: .arguments([1, 2], ["a": "b"]))))
            let yield = try await transport.router.expect("YIELD") { if case .yield(let y) = $0 { y } else { nil } }
            #expect(yield.request == 501)
            #expect(yield.args == [1, 2])
            #expect(yield.kwargs == ["a": "b"])
        }
    }

    @Test("a handler returning an Encodable value: the value is encoded into the YIELD")
    func codableHandler() async throws {
        try await withJoinedSession { session, transport in
            async let registration = session.register("com.example.add") { invocation in
                try invocation.decode([Int].self).reduce(0, +)
            }
            let register = try await transport.router.expect("REGISTER") { if case .register(let r) = $0 { r } else { nil } }
            transport.router.send(.registered(.init(request: register.request, registration: 12)))
            _ = try await registration
            transport.router.send(.invocation(.init(request: 9, registration: 12, payload: .arguments([2, 3, 4], [:]))))
            let yield = try await transport.router.expect("YIELD") { if case .yield(let y) = $0 { y } else { nil } }
            #expect(yield.args == [9])
        }
    }

    @Test("a handler throwing WAMPError answers with that ERROR; another error gives wamp.error.runtime_error")
    func handlerErrors() async throws {
        try await withJoinedSession { session, transport in
            _ = try await register(session, transport, "com.example.fail") { invocation in
                if invocation.args.first == "wamp" { throw WAMPError("com.example.bad_input", args: ["no"], kwargs: ["n": 1]) }
                struct Plain: Error {}
                throw Plain()
            }
            transport.router.send(.invocation(.init(request: 1, registration: 11, payload: .arguments(["wamp"], [:]))))
            let first = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(first.requestType == .invocation)
            #expect(first.error == "com.example.bad_input")
            #expect(first.args == ["no"])
            #expect(first.kwargs == ["n": 1])
            transport.router.send(.invocation(.init(request: 2, registration: 11, payload: .arguments(["other"], [:]))))
            let second = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(second.request == 2)
            #expect(second.error == WAMPError.runtimeErrorURI)
        }
    }

    @Test("INTERRUPT cancels the handler's task; the answer is ERROR wamp.error.canceled")
    func interruptCancelsHandler() async throws {
        try await withJoinedSession { session, transport in
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            _ = try await register(session, transport, "com.example.forever") { _ in
                startedContinuation.yield()
                try await Task.sleep(for: .seconds(3600))
                return WAMPResult()
            }
            transport.router.send(.invocation(.init(request: 3, registration: 11)))
            for await _ in started { break }
            transport.router.send(.interrupt(.init(request: 3, options: ["mode": "killnowait"])))
            let error = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(error.request == 3)
            #expect(error.error == WAMPError.canceledURI)
        }
    }

    @Test("an INTERRUPT right behind its INVOCATION cancels the handler however soon it arrives; the next invocation runs")
    func interruptRightBehindInvocation() async throws {
        try await withJoinedSession { session, transport in
            _ = try await register(session, transport, "com.example.sleep-or-echo") { invocation in
                if invocation.args == ["sleep"] { try await Task.sleep(for: .seconds(3600)) }
                return WAMPResult(args: invocation.args)
            }
            transport.router.send(.invocation(.init(request: 3, registration: 11, payload: .arguments(["sleep"], [:]))))
            transport.router.send(.interrupt(.init(request: 3, options: ["mode": "kill"])))
            let error = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(error.request == 3)
            #expect(error.error == WAMPError.canceledURI)

            // That INTERRUPT was for invocation 3 only: a repeat of it reaches nothing.
            transport.router.send(.invocation(.init(request: 4, registration: 11, payload: .arguments(["hi"], [:]))))
            transport.router.send(.interrupt(.init(request: 3, options: ["mode": "kill"])))
            let yield = try await transport.router.expect("YIELD") { if case .yield(let y) = $0 { y } else { nil } }
            #expect(yield.request == 4)
            #expect(yield.args == ["hi"])
        }
    }

    @Test("an INVOCATION beyond maxConcurrentInvocations is answered at once with ERROR; the running one still completes")
    func invocationLimit() async throws {
        var configuration = WAMPSession.Configuration()
        configuration.maxConcurrentInvocations = 1
        try await withJoinedSession(configuration: configuration) { session, transport in
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            _ = try await register(session, transport, "com.example.slow") { _ in
                startedContinuation.yield()
                for await _ in release { break }
                return WAMPResult(args: ["done"])
            }
            transport.router.send(.invocation(.init(request: 1, registration: 11)))
            for await _ in started { break }
            transport.router.send(.invocation(.init(request: 2, registration: 11)))
            let refused = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(refused.request == 2)
            #expect(refused.error == WAMPError.runtimeErrorURI)
            releaseContinuation.yield()
            let yield = try await transport.router.expect("YIELD") { if case .yield(let y) = $0 { y } else { nil } }
            #expect(yield.request == 1)
            #expect(yield.args == ["done"])
        }
    }

    @Test("an INVOCATION for an unknown registration gets ERROR wamp.error.no_such_registration")
    func unknownRegistration() async throws {
        try await withJoinedSession { _, transport in
            transport.router.send(.invocation(.init(request: 4, registration: 999)))
            let error = try await transport.router.expect("ERROR") { if case .error(let e) = $0 { e } else { nil } }
            #expect(error.error == WAMPError.noSuchRegistrationURI)
        }
    }

    @Test("unregister sends UNREGISTER and waits for UNREGISTERED")
    func unregister() async throws {
        try await withJoinedSession { session, transport in
            let registration = try await register(session, transport, "com.example.p") { _ in WAMPResult() }
            async let done: Void = registration.unregister()
            let unregister = try await transport.router.expect("UNREGISTER") { if case .unregister(let u) = $0 { u } else { nil } }
            #expect(unregister.registration == 11)
            transport.router.send(.unregistered(.init(request: unregister.request)))
            try await done
        }
    }

    /// Subscribes to `topic` and answers SUBSCRIBED with `subscription`.
    func subscribe(_ session: WAMPSession, _ transport: FakeTransport, _ topic: String, id: WAMPID = 21) async throws -> WAMPSubscription {
        async let subscription = session.subscribe(topic)
        let subscribe = try await transport.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
        #expect(subscribe.topic == topic)
        transport.router.send(.subscribed(.init(request: subscribe.request, subscription: id)))
        return try await subscription
    }

    @Test("events arrive on the subscription's sequence in order, an EVENT right after SUBSCRIBED included")
    func eventsArrive() async throws {
        try await withJoinedSession { session, transport in
            async let subscription = session.subscribe("com.example.tick")
            let subscribe = try await transport.router.expect("SUBSCRIBE") { if case .subscribe(let s) = $0 { s } else { nil } }
            transport.router.send(.subscribed(.init(request: subscribe.request, subscription: 21)))
            transport.router.send(.event(.init(subscription: 21, publication: 1, payload: .arguments([1], [:]))))
            transport.router.send(.event(.init(subscription: 21, publication: 2, payload: .arguments([], ["n": 2]))))
            var iterator = try await subscription.makeAsyncIterator()
            let first = try await iterator.next()
            let second = try await iterator.next()
            #expect(first?.args == [1])
            #expect(first?.topic == "com.example.tick")
            #expect(second?.kwargs == ["n": 2])
            #expect(try second?.decode([String: Int].self) == ["n": 2])
        }
    }

    @Test("dropping the subscription sends UNSUBSCRIBE")
    func unsubscribeOnDrop() async throws {
        try await withJoinedSession { session, transport in
            var subscription: WAMPSubscription? = try await subscribe(session, transport, "com.example.drop")
            #expect(subscription?.topic == "com.example.drop")
            subscription = nil
            let unsubscribe = try await transport.router.expect("UNSUBSCRIBE") { if case .unsubscribe(let u) = $0 { u } else { nil } }
            #expect(unsubscribe.subscription == 21)
            transport.router.send(.unsubscribed(.init(request: unsubscribe.request)))
        }
    }

    @Test("cancelling the task iterating the subscription sends UNSUBSCRIBE")
    func unsubscribeOnCancel() async throws {
        try await withJoinedSession { session, transport in
            let subscription = try await subscribe(session, transport, "com.example.cancel")
            let reader = Task { for try await _ in subscription {} }
            reader.cancel()
            let unsubscribe = try await transport.router.expect("UNSUBSCRIBE") { if case .unsubscribe(let u) = $0 { u } else { nil } }
            #expect(unsubscribe.subscription == 21)
            transport.router.send(.unsubscribed(.init(request: unsubscribe.request)))
            _ = await reader.result
        }
    }

    @Test("two local subscriptions on one router subscription: UNSUBSCRIBE only when the last one ends")
    func sharedRouterSubscription() async throws {
        try await withJoinedSession { session, transport in
            let first = try await subscribe(session, transport, "com.example.shared")
            let second = try await subscribe(session, transport, "com.example.shared")
            try await first.unsubscribe()
            transport.router.send(.event(.init(subscription: 21, publication: 5, payload: .arguments(["still"], [:]))))
            var iterator = second.makeAsyncIterator()
            #expect(try await iterator.next()?.args == ["still"])
            async let done: Void = second.unsubscribe()
            let unsubscribe = try await transport.router.expect("UNSUBSCRIBE") { if case .unsubscribe(let u) = $0 { u } else { nil } }
            transport.router.send(.unsubscribed(.init(request: unsubscribe.request)))
            try await done
        }
    }

    @Test("a reader that does not keep up: the subscription ends with .eventBufferOverflow, no event is silently lost")
    func eventBufferOverflow() async throws {
        var configuration = WAMPSession.Configuration()
        configuration.eventBufferLimit = 2
        try await withJoinedSession(configuration: configuration) { session, transport in
            let subscription = try await subscribe(session, transport, "com.example.flood")
            for i in 1 ... 3 {
                transport.router.send(.event(.init(subscription: 21, publication: WAMPID(i), payload: .arguments([.integer(Int64(i))], [:]))))
            }
            _ = try await transport.router.expect("UNSUBSCRIBE") { if case .unsubscribe(let u) = $0 { u } else { nil } }
            var received: [WAMPValue] = []
            let error = await #expect(throws: WAMPSessionError.self) {
                for try await event in subscription { received.append(contentsOf: event.args) }
            }
            #expect(error?.code == .eventBufferOverflow)
            #expect(received == [1, 2])
        }
    }
}
