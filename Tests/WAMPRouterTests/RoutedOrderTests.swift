import Testing
import TimeGuards
import Transport
@testable import WAMPRouter
import WAMPTesting

/// The router sends a message to a session itself when nothing is queued for it, and queues it
/// for the session's writer otherwise (`SessionLink.claim()`): either way, what is routed to one
/// session arrives in the order it was routed.
@Suite("Messages to a session keep the order they were routed in", .scaledTimeLimit(minutes: 1))
struct RoutedOrderTests {
    @Test(
        "calls arrive at the callee, and results at the caller, in the order they were made: with a transport that takes messages at once (the router sends them) or never (its writer does), and a pipe small enough to fill",
        arguments: [true, false])
    func callsKeepTheirOrder(sendsWithoutWaiting: Bool) async throws {
        var transport = InMemoryTransport.Configuration()
        transport.bufferedMessages = 4
        transport.sendsWithoutWaiting = sendsWithoutWaiting
        let count = 400
        try await RouterHarness.run(transport: transport) { harness in
            let (registered, register) = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in registered {}
                    let caller = try await harness.join()
                    var requests: [WAMPID] = []
                    for index in 0 ..< count {
                        requests.append(try await caller.call("com.example.order", payload: .arguments([.integer(Int64(index))], [:])))
                    }
                    for (index, request) in requests.enumerated() {
                        #expect(try await caller.receiveResult() == .init(request: request, payload: .arguments([.integer(Int64(index))], [:])))
                    }
                }
                let callee = try await harness.join()
                _ = try await callee.register("com.example.order")
                register.finish()
                for index in 0 ..< count {
                    let invocation = try await callee.receiveInvocation()
                    #expect(invocation.args == [.integer(Int64(index))])
                    try await callee.send(.yield(.init(request: invocation.request, payload: invocation.payload)))
                }
                try await group.waitForAll()
            }
        }
    }

    @Test(
        "events of two publishers publishing at once reach a subscriber each in its publisher's order, whichever thread routes them",
        arguments: [true, false])
    func eventsOfConcurrentPublishersKeepTheirOrder(sendsWithoutWaiting: Bool) async throws {
        var transport = InMemoryTransport.Configuration()
        transport.bufferedMessages = 8
        transport.sendsWithoutWaiting = sendsWithoutWaiting
        let count = 300
        try await RouterHarness.run(transport: transport) { harness in
            let subscriber = try await harness.join()
            _ = try await subscriber.subscribe("com.example.order")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for publisher in 0 ..< 2 {
                    group.addTask {
                        let peer = try await harness.join()
                        for index in 0 ..< count {
                            try await peer.send(.publish(.init(
                                request: peer.nextRequest(), topic: "com.example.order",
                                payload: .arguments([.integer(Int64(publisher)), .integer(Int64(index))], [:]))))
                        }
                    }
                }
                var next = [0, 0]
                for _ in 0 ..< 2 * count {
                    let event = try await subscriber.receiveEvent()
                    guard case .integer(let publisher)? = event.args.first, case .integer(let index)? = event.args.last else {
                        Issue.record("an event with args \(event.args)")
                        return
                    }
                    #expect(Int(index) == next[Int(publisher)], "publisher \(publisher)'s events in order")
                    next[Int(publisher)] = Int(index) + 1
                }
                try await group.waitForAll()
                #expect(next == [count, count])
            }
        }
    }
}
