import Foundation
import Testing
import TimeGuards

/// `wamp router` and `wamp demo`, run as processes: the tool's session subcommands against the
/// embedded router, its graceful shutdown, and the demo's transcript.
@Suite("wamp router and wamp demo", .scaledTimeLimit(minutes: 3))
struct WAMPToolRouterTests {
    /// Starts `wamp router` with `arguments`, waits for its `listening on` line and returns the
    /// URLs in it.
    static func startRouter(_ tool: String, _ arguments: [String]) async throws -> (PeerProcess, [String]) {
        let router = try PeerProcess(tool, ["router"] + arguments)
        do {
            let line = try await router.waitForLine(startingWith: "listening on ", timeout: 60)
            // `listening on URL and URL ..., realms NAME, NAME`
            let urls = line.dropFirst("listening on ".count).split(separator: ", realms").first ?? ""
            return (router, urls.components(separatedBy: " and "))
        } catch {
            await router.stop()
            throw error
        }
    }

    @Test("wamp register, call, subscribe and publish work through wamp router; SIGTERM ends the router with exit 0")
    func sessionSubcommandsThroughTheRouter() async throws {
        let tool = try WAMPTool.require()
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-\(getpid()).sock").path
        let (router, urls) = try await Self.startRouter(tool, [
            "--listen", "rs://127.0.0.1:0", "--listen", "ws://127.0.0.1:0/ws", "--listen", "rs+unix://\(socket)",
            "--realm", "realm1", "--serializers", "json,msgpack,cbor",
        ])
        do {
            #expect(urls.count == 3, "\(urls)")
            let rawSocket = try #require(urls.first { $0.hasPrefix("rs://127.0.0.1:") })
            #expect(!rawSocket.hasSuffix(":0"), "the real port is printed: \(rawSocket)")
            let webSocket = try #require(urls.first { $0.hasPrefix("ws://") })
            try await WAMPToolSessionChecks.callAndRegister(tool: tool, url: rawSocket, procedure: "com.example.tool.echo")
            try await WAMPToolSessionChecks.subscribeAndPublish(
                tool: tool, subscriberURL: webSocket, publisherURL: "rs+unix://\(socket)", topic: "com.example.tool.topic")
        } catch {
            await router.stop()
            throw error
        }
        kill(router.pid, SIGTERM)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }

    @Test("SIGTERM sends GOODBYE wamp.close.system_shutdown to a joined session and the router exits 0")
    func sigtermSaysGoodbyeToSessions() async throws {
        let tool = try WAMPTool.require()
        let (router, urls) = try await Self.startRouter(tool, ["--listen", "rs://127.0.0.1:0", "--universal"])
        try await withPeer(tool, ["subscribe", "--url", try #require(urls.last), "com.example.tool.shutdown"]) { subscriber in
            do {
                _ = try await subscriber.waitForLine(startingWith: "subscribed ", timeout: 60)
            } catch {
                await router.stop()
                throw error
            }
            kill(router.pid, SIGTERM)
            #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
            _ = try await subscriber.waitForExit(timeout: 60)
            #expect(subscriber.stderr.contains("wamp.close.system_shutdown"), "\(subscriber.transcript)")
        }
    }

    @Test("wamp router --config reads listeners and realms from a JSON file")
    func configFileListenersAndRealms() async throws {
        let tool = try WAMPTool.require()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-\(getpid()).json")
        try Data(#"""
            {"listeners": [{"url": "ws://127.0.0.1:0/wamp", "universal": true}],
             "realms": [{"name": "com.example.custom", "anonymousAuthRole": "guest"}],
             "limits": {"sessionsPerRealm": 5}, "comment": "keys the router does not know are ignored"}
            """#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (router, urls) = try await Self.startRouter(tool, ["--config", file.path])
        do {
            #expect(urls.count == 2 && urls[1].hasSuffix("/wamp"), "\(urls)")
            let rawSocket = try #require(urls.first)
            // Joined (the call fails with no_such_procedure, exit 1) in the file's realm only.
            let joined = try PeerProcess(tool, ["call", "--url", rawSocket, "--realm", "com.example.custom", "com.example.nobody"])
            #expect(try await joined.waitForExit(timeout: 60) == 1, "\(joined.transcript)")
            let refused = try PeerProcess(tool, ["call", "--url", rawSocket, "--realm", "realm1", "com.example.nobody"])
            // ABORT refusing the join: a WAMP-level error, exit 1.
            #expect(try await refused.waitForExit(timeout: 60) == 1, "\(refused.transcript)")
            #expect(refused.stderr.contains("wamp.error.no_such_realm"), "\(refused.transcript)")
        } catch {
            await router.stop()
            throw error
        }
        kill(router.pid, SIGINT)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }

    @Test("wamp router --config with a wrong type names the key and exits 2 (usage)")
    func invalidConfigFileIsAValidationError() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-bad-\(getpid()).json")
        try Data(#"{"listeners": [{"url": 5}]}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let router = try PeerProcess(try WAMPTool.require(), ["router", "--config", file.path])
        #expect(try await router.waitForExit(timeout: 60) == 2, "\(router.transcript)")
        #expect(router.stderr.contains("listeners[0].url"), "\(router.transcript)")
    }

    @Test("wamp router --config with a limit below 1 names the limit and exits 2 (usage)")
    func configFileLimitBelowOne() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-limit-\(getpid()).json")
        try Data(#"{"limits": {"outboundQueueLength": 10, "outboundQueueOctets": 0}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let router = try PeerProcess(try WAMPTool.require(), ["router", "--config", file.path])
        #expect(try await router.waitForExit(timeout: 60) == 2, "\(router.transcript)")
        #expect(router.stderr.contains("limits.outboundQueueOctets is 0"), "\(router.transcript)")
    }

    @Test("wamp router serves TLS on its rss:// listener and plain RawSocket on its rs:// one at once")
    func tlsOnTheRssListenerOnly() async throws {
        let tool = try WAMPTool.require()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-tls-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (cert, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let openssl = try PeerProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
        ])
        #expect(try await openssl.waitForExit(timeout: 60) == 0, "\(openssl.transcript)")
        let (router, urls) = try await Self.startRouter(tool, [
            "--listen", "rss://127.0.0.1:0", "--listen", "rs://127.0.0.1:0", "--tls-cert", cert, "--tls-key", key,
        ])
        do {
            let secure = try #require(urls.first { $0.hasPrefix("rss://") })
            let plain = try #require(urls.first { $0.hasPrefix("rs://") })
            // Joined on both (the call fails with no_such_procedure, exit 1).
            let overTLS = try PeerProcess(tool, ["call", "--url", secure, "--tls-ca", cert, "--tls-server-name", "localhost", "com.example.nobody"])
            #expect(try await overTLS.waitForExit(timeout: 60) == 1, "\(overTLS.transcript)")
            #expect(overTLS.stderr.contains("wamp.error.no_such_procedure"), "\(overTLS.transcript)")
            let withoutTLS = try PeerProcess(tool, ["call", "--url", plain, "com.example.nobody"])
            #expect(try await withoutTLS.waitForExit(timeout: 60) == 1, "\(withoutTLS.transcript)")
        } catch {
            await router.stop()
            throw error
        }
        kill(router.pid, SIGTERM)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }

    @Test("wamp demo ends by itself with exit 0, and its transcript shows the call result and the event")
    func demoShowsCallResultAndEvent() async throws {
        let demo = try PeerProcess(try WAMPTool.require(), ["demo"])
        #expect(try await demo.waitForExit(timeout: 120) == 0, "\(demo.transcript)")
        let lines = demo.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("A rawsocket/msgpack  ← router   INVOCATION") }, "\(demo.stdout)")
        #expect(lines.contains { $0.hasPrefix("B websocket/json  ← router   RESULT") && $0.hasSuffix("[5]]") }, "\(demo.stdout)")
        #expect(lines.contains("B: call result [5]"), "\(demo.stdout)")
        #expect(lines.contains { $0.hasPrefix("B websocket/json  ← router   EVENT") }, "\(demo.stdout)")
        #expect(lines.contains { $0.hasPrefix("B: event [\"tick\", 3.5, true]") }, "\(demo.stdout)")
        #expect(lines.contains { $0.contains("GOODBYE") && $0.contains("wamp.close.system_shutdown") }, "\(demo.stdout)")
    }
}
