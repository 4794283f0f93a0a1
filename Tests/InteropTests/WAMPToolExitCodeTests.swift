import Foundation
import Testing
import TimeGuards

/// The `wamp` tool as one tool, run as processes against itself (no Python): one plain error
/// line and one exit-code table for every subcommand, `--version`, the old `--connect`
/// spelling, usage errors with the subcommand's usage, and JSON output with sorted keys.
@Suite("wamp exit codes, error lines and options", .scaledTimeLimit(minutes: 3))
struct WAMPToolExitCodeTests {
    /// Runs the tool to its end; returns the finished process and its exit status.
    static func run(_ arguments: [String], environment: [String: String] = PeerEnvironment.peerEnvironment) async throws
        -> (PeerProcess, Int32)
    {
        let process = try PeerProcess(try WAMPTool.require(), arguments, environment: environment)
        let status = try await process.waitForExit(timeout: InteropTimeouts.pythonRun)
        return (process, status)
    }

    /// Starts `wamp SUBCOMMAND arguments` (a server), waits for its `listening on` line and
    /// runs `body` with the first URL in it; stops the server afterwards.
    static func withServer<T: Sendable>(
        _ subcommand: String, _ arguments: [String], _ body: (String) async throws -> T
    ) async throws -> T {
        try await withPeer(try WAMPTool.require(), [subcommand] + arguments) { server in
            let line = try await server.waitForLine(startingWith: "listening on ", timeout: InteropTimeouts.pythonStart)
            let url = try #require(line.dropFirst("listening on ".count).split(separator: " ").first)
            return try await body(String(url.trimmingCharacters(in: CharacterSet(charactersIn: ","))))
        }
    }

    /// The lines of standard error, without empty ones.
    static func errorLines(_ process: PeerProcess) -> [Substring] {
        process.stderr.split(separator: "\n")
    }

    /// Whether standard error is one plain line with `text` in it: no Swift type or cause dump.
    static func isOnePlainLine(_ process: PeerProcess, containing text: String) -> Bool {
        let lines = errorLines(process)
        return lines.count == 1 && lines[0].contains(text)
            && !["RawSocketError", "WebSocketError", "IOError", "NIOConnectionError", "cause:"].contains { lines[0].contains($0) }
    }

    @Test("connection refused: every client subcommand exits 3 with one line naming the URL",
          arguments: [
              ["call", "--url", "rs://127.0.0.1:1", "com.example.nobody"],
              ["send", "--url", "rs://127.0.0.1:1", "[1, \"realm1\", {}]"],
              ["bench", "--url", "ws://127.0.0.1:1/ws", "--count", "10"],
          ])
    func connectionRefused(_ arguments: [String]) async throws {
        let (process, status) = try await Self.run(arguments)
        #expect(status == 3, "\(process.transcript)")
        let url = arguments[2]
        #expect(Self.isOnePlainLine(process, containing: "cannot connect to \(url): connection refused"), "\(process.transcript)")
    }

    @Test("a port in use: a second echo server on it exits 4 with one line naming the address")
    func addressInUse() async throws {
        try await Self.withServer("echo-server", ["--listen", "rs://127.0.0.1:0"]) { url in
            let port = try #require(url.split(separator: ":").last)
            let (process, status) = try await Self.run(["echo-server", "--listen", url])
            #expect(status == 4, "\(process.transcript)")
            #expect(Self.isOnePlainLine(process, containing: "cannot listen on "), "\(process.transcript)")
            #expect(Self.isOnePlainLine(process, containing: ":\(port): address already in use"), "\(process.transcript)")
        }
    }

    @Test("a RawSocket handshake refused (serializer unsupported) exits 3 and says so")
    func handshakeRefused() async throws {
        try await Self.withServer("echo-server", ["--listen", "rs://127.0.0.1:0", "--serializers", "json"]) { url in
            let (process, status) = try await Self.run(["send", "--url", url, "--serializer", "msgpack", "[1, \"realm1\", {}]"])
            #expect(status == 3, "\(process.transcript)")
            #expect(Self.isOnePlainLine(
                process, containing: "cannot connect to \(url): handshake refused by the server: serializer unsupported (error 1)"),
                "\(process.transcript)")
        }
    }

    @Test("a WebSocket upgrade answered with HTTP 404 exits 3 and names the status")
    func webSocketNotFound() async throws {
        try await Self.withServer("echo-server", ["--listen", "ws://127.0.0.1:0/ws"]) { url in
            let wrongPath = url.replacingOccurrences(of: "/ws", with: "/elsewhere")
            let (process, status) = try await Self.run(["send", "--url", wrongPath, "[1, \"realm1\", {}]"])
            #expect(status == 3, "\(process.transcript)")
            #expect(Self.isOnePlainLine(process, containing: "cannot connect to \(wrongPath): WebSocket upgrade refused: HTTP 404"),
                    "\(process.transcript)")
        }
    }

    @Test("an ERROR reply to a call exits 1 with the error as one JSON line with sorted keys; an unknown realm exits 1 too")
    func errorReplyExitsOne() async throws {
        try await Self.withServer("router", ["--listen", "rs://127.0.0.1:0"]) { url in
            let (call, status) = try await Self.run(["call", "--url", url, "com.example.nobody", "1"])
            #expect(status == 1, "\(call.transcript)")
            #expect(Self.errorLines(call).count == 1, "\(call.transcript)")
            #expect(call.stderr.hasPrefix(#"{"args": ["#), "\(call.transcript)")
            #expect(call.stderr.hasSuffix(#"], "error": "wamp.error.no_such_procedure", "kwargs": {}}"# + "\n"), "\(call.transcript)")
            let (join, joinStatus) = try await Self.run(["call", "--url", url, "--realm", "com.example.none", "com.example.nobody"])
            #expect(joinStatus == 1, "\(join.transcript)")
            #expect(Self.isOnePlainLine(join, containing: "cannot join realm com.example.none at \(url): "), "\(join.transcript)")
            #expect(join.stderr.contains("wamp.error.no_such_realm"), "\(join.transcript)")
        }
    }

    @Test("a usage error exits 2 and prints the subcommand's usage",
          arguments: [
              (["call", "com.example.add"], "wamp call"),  // no --url
              (["call", "--url", "http://127.0.0.1:8080", "com.example.add"], "wamp call"),  // a scheme no transport takes
              (["bench", "--url", "rs://127.0.0.1:8080", "--serializer", "xml"], "wamp bench"),
              (["echo-server", "--listen", "rs://127.0.0.1:0", "--serializers", "json,xml"], "wamp echo-server"),
          ])
    func usageError(_ arguments: [String], _ usage: String) async throws {
        let (process, status) = try await Self.run(arguments)
        #expect(status == 2, "\(process.transcript)")
        #expect(process.stderr.contains("Usage: \(usage) "), "\(process.transcript)")
        #expect(process.stdout.isEmpty, "\(process.transcript)")
    }

    @Test("wamp --version prints the version and exits 0; wamp --help shows the exit-code table")
    func versionAndHelp() async throws {
        let (version, status) = try await Self.run(["--version"])
        #expect(status == 0, "\(version.transcript)")
        let text = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.split(separator: ".").count == 3 && text.split(separator: ".").allSatisfy { Int($0) != nil }, "\(version.transcript)")
        let (help, helpStatus) = try await Self.run(["--help"])
        #expect(helpStatus == 0, "\(help.transcript)")
        for line in ["  0  success", "  1  the router answered with ERROR", "  2  usage error", "  3  cannot connect", "  4  cannot listen"] {
            #expect(help.stdout.contains(line), "\(help.transcript)")
        }
    }

    @Test("the old --connect spelling still works; send prints replies as JSON with sorted keys")
    func oldConnectSpellingAndSortedKeys() async throws {
        try await Self.withServer("echo-server", ["--listen", "rs://127.0.0.1:0"]) { url in
            let (process, status) = try await Self.run([
                "send", "--connect", url, "--wait", "0.5", #"[1, "realm1", {"zeta": 1, "alpha": {"y": 2, "b": 3}, "mid": [{"z": 0, "a": 1}]}]"#,
            ])
            #expect(status == 0, "\(process.transcript)")
            #expect(process.stdout.split(separator: "\n") == [#"[1,"realm1",{"alpha":{"b":3,"y":2},"mid":[{"a":1,"z":0}],"zeta":1}]"#],
                    "\(process.transcript)")
        }
    }

    @Test("bench prints one JSON line with sorted keys and the client's CPU time per message, and a summary on stderr")
    func benchReportsCPUTimeWithSortedKeys() async throws {
        try await Self.withServer("echo-server", ["--listen", "rs://127.0.0.1:0"]) { url in
            let (process, status) = try await Self.run(["bench", "--url", url, "--count", "2000", "--warmup", "100"])
            #expect(status == 0, "\(process.transcript)")
            let line = try #require(process.stdout.split(separator: "\n").first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((json["client_cpu_microseconds_per_message"] as? NSNumber)?.doubleValue ?? -1 >= 0, "\(line)")
            #expect(json["serializer"] as? String == "json", "json is the default serializer: \(line)")
            // The keys appear in sorted order in the text.
            let keys = line.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
            #expect(keys == keys.sorted() && keys.count == json.count, "\(line)")
            #expect(process.stderr.contains("bench: 2000 echoes in "), "\(process.transcript)")
            #expect(process.stderr.contains("µs per message"), "\(process.transcript)")
        }
    }
}
