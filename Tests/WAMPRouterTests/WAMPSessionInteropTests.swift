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

    @Test("calls and publications from many tasks at once, on the threads of the global executor: each call gets its own result, every event arrives")
    func manyTasksAtOnce() async throws {
        let tasks = 16
        let perTask = 100
        try await RouterHarness.run(transport: .init(serializer: WAMPJSONSerializer())) { harness in
            try await WAMPSession.withSession(joining: harness.connect().transport, realm: "realm1") { callee in
                try await WAMPSession.withSession(joining: harness.connect().transport, realm: "realm1") { caller in
                    try await callee.register("com.example.echo") { invocation in
                        WAMPResult(args: invocation.args, kwargs: invocation.kwargs)
                    }
                    let events = try await callee.subscribe("com.example.tick")
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        group.addTask {
                            var received = 0
                            for try await _ in events {
                                received += 1
                                if received == tasks * perTask { break }
                            }
                            return received
                        }
                        for task in 0 ..< tasks {
                            group.addTask { @concurrent in
                                for index in 0 ..< perTask {
                                    let result = try await caller.call(
                                        "com.example.echo", args: [.integer(Int64(task)), .integer(Int64(index))], kwargs: ["t": .integer(Int64(task))])
                                    #expect(result.args == [.integer(Int64(task)), .integer(Int64(index))])
                                    #expect(result.kwargs == ["t": .integer(Int64(task))])
                                    try await caller.publish("com.example.tick", args: [.integer(Int64(index))])
                                }
                                return 0
                            }
                        }
                        var received = 0
                        for try await count in group { received += count }
                        #expect(received == tasks * perTask)
                    }
                }
            }
        }
    }
}
