import JSONSerializer
import MetricsTestKit
import MetricsTestSupport
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPSession
import WAMPTesting

/// The session's and the router's metrics, recorded in the test process's shared backend; each
/// test uses a realm of its own, the metrics' dimension.
@Suite("Session and router metrics", .scaledTimeLimit(minutes: 1))
struct MetricsTests {
    let metrics = SharedTestMetrics.backend

    @Test("sessions count their calls, errors and events; the router its sessions per realm and the calls and events it routed")
    func sessionAndRouterCounters() async throws {
        let realm = SharedTestMetrics.uniqueDimension("realm").1
        let dimensions = [("realm", realm)]
        func total(_ label: String) -> Int64 { metrics.counterTotal(label: label, dimensions: dimensions) }
        func sessions() throws -> Double? { try metrics.expectMeter(WAMPMetricNames.routerSessions, dimensions).lastValue }

        let configuration = WAMPRouter.Configuration(realms: [.init(realm)])
        try await RouterHarness.run(configuration, transport: .init(serializer: WAMPJSONSerializer())) { harness in
            try await WAMPSession.withSession(joining: harness.connect().transport, realm: realm) { callee in
                try await WAMPSession.withSession(joining: harness.connect().transport, realm: realm) { caller in
                    #expect(try sessions() == 2)
                    try await callee.register("com.example.add") { invocation in
                        WAMPResult(args: [.integer(try invocation.decode([Int64].self).reduce(0, +))])
                    }
                    let sum: Int = try await caller.call("com.example.add", 2, 3)
                    #expect(sum == 5)

                    let ticks = try await callee.subscribe("com.example.tick")
                    try await caller.publish("com.example.tick", args: [1], acknowledge: true)
                    for try await _ in ticks { break }

                    await #expect(throws: WAMPError.self) { _ = try await caller.call("com.example.missing") }
                }
            }
        }
        #expect(total(WAMPMetricNames.sessionCalls) == 2)
        #expect(total(WAMPMetricNames.sessionErrors) == 1)
        #expect(total(WAMPMetricNames.sessionEvents) == 1)
        #expect(total(WAMPMetricNames.routerCallsRouted) == 1)
        #expect(total(WAMPMetricNames.routerEventsRouted) == 1)
        #expect(try sessions() == 0)
    }
}
