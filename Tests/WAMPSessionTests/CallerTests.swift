import Testing
import TimeGuards
import Transport
@testable import WAMPSession

@Suite("Caller", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct CallerTests {
    @Test("call with args and kwargs returns the RESULT's args, kwargs and details")
    func callReturnsResult() async throws {
        try await withJoinedSession { session, transport in
            async let result = session.call("com.example.echo", args: [1, "two"], kwargs: ["k": true])
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            #expect(call.procedure == "com.example.echo")
            #expect(call.args == [1, "two"])
            #expect(call.kwargs == ["k": true])
            transport.router.send(.result(.init(request: call.request, payload: .arguments([3], ["x": "y"]))))
            let value = try await result
            #expect(value.args == [3])
            #expect(value.kwargs == ["x": "y"])
        }
    }

    @Test("a typed call: Encodable arguments in, a Decodable result out")
    func typedCall() async throws {
        try await withJoinedSession { session, transport in
            async let sum: Int = session.call("com.example.add", 2, 3)
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            #expect(call.args == [2, 3])
            transport.router.send(.result(.init(request: call.request, payload: .arguments([5], [:]))))
            #expect(try await sum == 5)

            struct Point: Codable, Equatable { var x: Int; var y: Int }
            async let point: Point = session.call("com.example.point", "origin")
            let second = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.result(.init(request: second.request, payload: .arguments([], ["x": 1, "y": 2]))))
            #expect(try await point == Point(x: 1, y: 2))
        }
    }

    @Test("an ERROR reply throws WAMPError with the URI, args and kwargs")
    func callError() async throws {
        try await withJoinedSession { session, transport in
            let result = Task { try await session.call("com.example.fail") }
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.error(.init(
                requestType: .call, request: call.request, error: "com.example.oops", payload: .arguments(["why"], ["code": 7]))))
            let error = await #expect(throws: WAMPError.self) { try await result.value }
            #expect(error == WAMPError("com.example.oops", args: ["why"], kwargs: ["code": 7]))
        }
    }

    @Test("cancelling the calling task sends CANCEL and throws CancellationError; the dealer's late ERROR is ignored")
    func cancelOnTaskCancel() async throws {
        try await withJoinedSession { session, transport in
            let task = Task { try await session.call("com.example.slow") }
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            task.cancel()
            let cancel = try await transport.router.expect("CANCEL") { if case .cancel(let c) = $0 { c } else { nil } }
            #expect(cancel.request == call.request)
            #expect(cancel.options["mode"] == "killnowait")
            await #expect(throws: CancellationError.self) { try await task.value }
            transport.router.send(.error(.init(requestType: .call, request: call.request, error: WAMPError.canceledURI)))

            // The session is still fine: the late ERROR was not a protocol violation.
            async let next = session.call("com.example.next")
            let second = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.result(.init(request: second.request, payload: .arguments(["ok"], [:]))))
            #expect(try await next.args == ["ok"])
        }
    }

    @Test("a call timeout sends CANCEL and throws .callTimedOut")
    func callTimeout() async throws {
        try await withJoinedSession { session, transport in
            let result = Task { try await session.call("com.example.slow", options: .init(timeout: .milliseconds(100), cancelMode: .kill)) }
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            let cancel = try await transport.router.expect("CANCEL") { if case .cancel(let c) = $0 { c } else { nil } }
            #expect(cancel.request == call.request)
            #expect(cancel.options["mode"] == "kill")
            let error = await #expect(throws: WAMPSessionError.self) { try await result.value }
            #expect(error?.code == .callTimedOut)
        }
    }

    @Test("a call timeout while the CALL waits on back-pressure: a RESULT before the caller resumes is a late reply, not a protocol violation")
    func timeoutDuringBackPressure() async throws {
        try await withJoinedSession { session, transport in
            let held = transport.holdNextSend { if case .call = $0 { true } else { false } }
            let result = Task { try await session.call("com.example.slow", options: .init(timeout: .milliseconds(20))) }
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            // The timeout fires while the CALL's send is still held.
            let cancel = try await transport.router.expect("CANCEL") { if case .cancel(let c) = $0 { c } else { nil } }
            #expect(cancel.request == call.request)
            transport.router.send(.result(.init(request: call.request, payload: .arguments(["late"], [:]))))
            // A probe behind the RESULT: its answer shows that the RESULT was handled (and did not ABORT).
            transport.router.send(.invocation(.init(request: 77, registration: 999)))
            let probe = try await transport.router.expect("ERROR for the probe INVOCATION") { if case .error(let e) = $0 { e } else { nil } }
            #expect(probe.request == 77)
            held.fire()
            let error = await #expect(throws: WAMPSessionError.self) { try await result.value }
            #expect(error?.code == .callTimedOut)

            // The session is still fine.
            async let next = session.call("com.example.next")
            let second = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.result(.init(request: second.request, payload: .arguments(["ok"], [:]))))
            #expect(try await next.args == ["ok"])
        }
    }

    @Test("progressive results arrive in order on the sequence, then the final result ends it")
    func progressiveResults() async throws {
        try await withJoinedSession { session, transport in
            let results = try await session.progressiveCall("com.example.count", args: [3])
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            #expect(call.options["receive_progress"] == true)
            for i in 1 ... 2 {
                transport.router.send(.result(.init(request: call.request, details: ["progress": true], payload: .arguments([.integer(Int64(i))], [:]))))
            }
            transport.router.send(.result(.init(request: call.request, payload: .arguments([3], [:]))))
            var received: [WAMPResult] = []
            for try await result in results { received.append(result) }
            #expect(received.map(\.args) == [[1], [2], [3]])
            #expect(received.map(\.isProgress) == [true, true, false])
        }
    }

    @Test("dropping a progressive call's sequence before the end sends CANCEL")
    func progressiveCallDropped() async throws {
        try await withJoinedSession { session, transport in
            var results: AsyncThrowingStream<WAMPResult, any Error>? = try await session.progressiveCall("com.example.count")
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            #expect(results != nil)
            results = nil
            let cancel = try await transport.router.expect("CANCEL") { if case .cancel(let c) = $0 { c } else { nil } }
            #expect(cancel.request == call.request)
        }
    }

    @Test("progressive results not read beyond the buffer limit: CANCEL, and the sequence throws .eventBufferOverflow after what it holds")
    func progressiveOverflow() async throws {
        var configuration = WAMPSession.Configuration()
        configuration.eventBufferLimit = 1
        try await withJoinedSession(configuration: configuration) { session, transport in
            let results = try await session.progressiveCall("com.example.flood")
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            for i in 1 ... 2 {
                transport.router.send(.result(.init(request: call.request, details: ["progress": true], payload: .arguments([.integer(Int64(i))], [:]))))
            }
            let cancel = try await transport.router.expect("CANCEL") { if case .cancel(let c) = $0 { c } else { nil } }
            #expect(cancel.request == call.request)
            var received: [WAMPValue] = []
            let error = await #expect(throws: WAMPSessionError.self) {
                for try await result in results { received.append(contentsOf: result.args) }
            }
            #expect(error?.code == .eventBufferOverflow)
            #expect(received == [1])
        }
    }

    @Test("a typed call without arguments")
    func typedCallWithoutArguments() async throws {
        try await withJoinedSession { session, transport in
            async let count: Int = session.call("wamp.session.count")
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            #expect(call.args.isEmpty)
            transport.router.send(.result(.init(request: call.request, payload: .arguments([2], [:]))))
            #expect(try await count == 2)
        }
    }

    @Test("publish with acknowledge returns the publication ID; without, nothing is awaited")
    func publish() async throws {
        try await withJoinedSession { session, transport in
            #expect(try await session.publish("com.example.a", args: [1]) == nil)
            let first = try await transport.router.expect("PUBLISH") { if case .publish(let p) = $0 { p } else { nil } }
            #expect(first.options["acknowledge"] == nil)
            async let publication = session.publish("com.example.b", kwargs: ["k": 1], acknowledge: true)
            let second = try await transport.router.expect("PUBLISH") { if case .publish(let p) = $0 { p } else { nil } }
            #expect(second.options["acknowledge"] == true)
            transport.router.send(.published(.init(request: second.request, publication: 900)))
            #expect(try await publication == 900)
        }
    }
}
