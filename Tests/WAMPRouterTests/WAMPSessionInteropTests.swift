import JSONSerializer
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPSession
import WAMPTesting

@Suite("The client session against the router", .scaledTimeLimit(minutes: 1))
struct WAMPSessionInteropTests {
    @Test("WAMPSession joins, registers, calls, subscribes and publishes through the router, with JSON on the way")
    func sessionRoundTrip() async throws {
        try await RouterHarness.run(transport: .init(serializer: WAMPJSONSerializer())) { harness in
            try await WAMPSession.withSession(joining: harness.connect().transport, realm: "realm1") { callee in
                try await WAMPSession.withSession(joining: harness.connect().transport, realm: "realm1") { caller in
                    try await callee.register("com.example.add") { invocation in
                        WAMPResult(args: [.integer(try invocation.decode([Int64].self).reduce(0, +))])
                    }
                    let sum: Int = try await caller.call("com.example.add", 2, 3)
                    #expect(sum == 5)

                    let ticks = try await callee.subscribe("com.example.tick")
                    try await caller.publish("com.example.tick", args: [1], acknowledge: true)
                    for try await event in ticks {
                        #expect(event.args == [1])
                        break
                    }
                    do {
                        _ = try await caller.call("com.example.missing")
                        Issue.record("the call succeeded")
                    } catch let error as WAMPError {
                        #expect(error.uri == "wamp.error.no_such_procedure")
                    }
                }
            }
        }
    }
}
