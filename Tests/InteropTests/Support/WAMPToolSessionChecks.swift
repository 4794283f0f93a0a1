import Foundation
import Testing
import Transport

/// The `wamp` tool's session subcommands run as processes against a router (Crossbar.io or
/// `wamp router`): the checks both suites share.
enum WAMPToolSessionChecks {
    /// `wamp register` then `wamp call` at `url`: the echo comes back as one JSON line; a call
    /// to a procedure nobody registered is a WAMP error on stderr with exit 1; SIGTERM ends
    /// register with exit 0.
    static func callAndRegister(tool: String, url: String, procedure: String) async throws {
        try await withPeer(tool, ["register", "--url", url, "--realm", "realm1", "--serializer", "msgpack", procedure]) { callee in
            _ = try await callee.waitForLine(startingWith: "registered \(procedure)", timeout: InteropTimeouts.pythonStart)
            let call = try PeerProcess(tool, ["call", "--url", url, "--realm", "realm1", "--serializer", "cbor", procedure, "2", "three", #"{"a": [1]}"#, "--kw", "x=1.5", "--kw", "name=joe"])
            #expect(try await call.waitForExit(timeout: InteropTimeouts.pythonRun) == 0, "\(call.transcript)")
            let line = try #require(call.stdout.split(separator: "\n").first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let args = try #require(json["args"] as? [Any])
            #expect(args.count == 3)
            #expect((args[0] as? NSNumber)?.intValue == 2)
            #expect(args[1] as? String == "three")
            #expect((args[2] as? [String: Any])?["a"] as? [Int] == [1])
            let kwargs = try #require(json["kwargs"] as? [String: Any])
            #expect((kwargs["x"] as? NSNumber)?.doubleValue == 1.5)
            #expect(kwargs["name"] as? String == "joe")

            let failing = try PeerProcess(tool, ["call", "--url", url, "com.example.tool.nobody", "1"])
            #expect(try await failing.waitForExit(timeout: InteropTimeouts.pythonRun) == 1, "\(failing.transcript)")
            let errorLine = try #require(failing.stderr.split(separator: "\n").first { $0.hasPrefix("{") })
            let error = try #require(try JSONSerialization.jsonObject(with: Data(errorLine.utf8)) as? [String: Any])
            #expect(error["error"] as? String == WAMPURI.noSuchProcedure)
            #expect(error["args"] is [Any])
            #expect(error["kwargs"] is [String: Any])

            // SIGTERM: the tool leaves with GOODBYE and exits 0.
            kill(callee.pid, SIGTERM)
            #expect(try await callee.waitForExit(timeout: InteropTimeouts.message) == 0, "\(callee.transcript)")
        }
    }

    /// `wamp subscribe --count 2` at `subscriberURL` (JSON) and two `wamp publish` at
    /// `publisherURL` (MessagePack): two JSON event lines; publish exits 0 on PUBLISHED.
    static func subscribeAndPublish(tool: String, subscriberURL: String, publisherURL: String, topic: String) async throws {
        try await withPeer(tool, ["subscribe", "--url", subscriberURL, "--serializer", "json", topic, "--count", "2"]) { subscriber in
            _ = try await subscriber.waitForLine(startingWith: "subscribed \(topic)", timeout: InteropTimeouts.pythonStart)
            for (index, payload) in [["1", "--kw", "k=v"], [#"{"n": null}"#]].enumerated() {
                let publish = try PeerProcess(tool, ["publish", "--url", publisherURL, "--serializer", "msgpack", topic] + payload)
                #expect(try await publish.waitForExit(timeout: InteropTimeouts.pythonRun) == 0, "publish \(index): \(publish.transcript)")
            }
            #expect(try await subscriber.waitForExit(timeout: InteropTimeouts.pythonRun) == 0, "\(subscriber.transcript)")
            let lines = subscriber.stdout.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(lines.count == 2, "\(subscriber.stdout)")
            guard lines.count == 2 else { return }
            let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
            #expect((first?["args"] as? [Int]) == [1])
            #expect((first?["kwargs"] as? [String: String]) == ["k": "v"])
            let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
            #expect(((second?["args"] as? [Any])?.first as? [String: Any])?["n"] is NSNull)
        }
    }
}
