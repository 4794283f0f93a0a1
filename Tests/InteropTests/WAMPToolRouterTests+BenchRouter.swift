import Foundation
import Testing

/// `wamp bench-router` through `wamp router`, briefly: a smoke test of the benchmark (no timing
/// is asserted, only that it runs and reports).
extension WAMPToolRouterTests {
    @Test("wamp bench-router runs rpc and pubsub through wamp router, with either client, and prints one JSON line with a positive rate",
          arguments: [("rpc", "rs", "session"), ("pubsub", "ws", "session"), ("rpc", "rs", "transport"), ("pubsub", "ws", "transport")])
    func benchRouterPrintsARate(workload: String, scheme: String, client: String) async throws {
        let tool = try WAMPTool.require()
        let (router, urls) = try await Self.startRouter(tool, [
            "--listen", "rs://127.0.0.1:0", "--listen", "ws://127.0.0.1:0/ws", "--realm", "realm1",
        ])
        do {
            let url = try #require(urls.first { $0.hasPrefix("\(scheme)://") })
            let bench = try PeerProcess(tool, [
                "bench-router", "--url", url, "--realm", "realm1", "--serializer", "msgpack", "--workload", workload,
                "--window", "8", "--duration", "1", "--warmup", "0.2", "--client", client,
            ])
            #expect(try await bench.waitForExit(timeout: InteropTimeouts.pythonRun) == 0, "\(bench.transcript)")
            let line = try #require(bench.stdout.split(separator: "\n").last, "\(bench.transcript)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            let unit = workload == "rpc" ? "calls" : "events"
            #expect(json["workload"] as? String == workload)
            #expect(json["client"] as? String == client)
            #expect(json["serializer"] as? String == "msgpack")
            #expect((json["window"] as? NSNumber)?.intValue == 8)
            #expect(((json[unit] as? NSNumber)?.intValue ?? 0) > 0, "\(line)")
            #expect(((json["\(unit)_per_second"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(line)")
            #expect(json["latency_p50_ms"] is NSNumber, "\(line)")
            #expect(json["cpu_seconds"] is NSNumber, "\(line)")
        } catch {
            await router.stop()
            throw error
        }
        kill(router.pid, SIGTERM)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }
}
