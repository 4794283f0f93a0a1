import Foundation
import RawSocketTransport
import Testing
import TimeGuards
import Transport

/// Autobahn|Python asyncio sessions against `wamp router`, run as a process: RPC with
/// arguments, progressive results, cancel, shared registrations, publish/subscribe options,
/// pattern subscriptions, and the meta API (procedures, events and session kills, their shapes as
/// the WAMP spec gives them) (`Peers/autobahn_router_client.py`), over each transport and
/// serializer; and a client breaking the protocol, aborted while Autobahn sessions go on.
@Suite(
    "Autobahn|Python clients against wamp router",
    .enabled(if: PeerEnvironment.autobahnTestsEnabled, "no Python with autobahn: \(PeerEnvironment.installHint)"),
    .serialized, .scaledTimeLimit(minutes: 5)
)
struct WAMPRouterAutobahnTests {
    /// The checks `autobahn_router_client.py` prints `ok NAME` for.
    static let checks = [
        "rpc-args-kwargs", "rpc-large", "rpc-progress", "rpc-cancel", "shared-roundrobin", "pubsub-exclude-me", "pubsub-exclude",
        "pubsub-eligible", "pattern-prefix", "pattern-wildcard",
        "meta-session", "meta-registration", "meta-subscription", "meta-events", "meta-kill",
    ]

    /// The router on free RawSocket and WebSocket ports, all three serializers.
    static func startRouter() async throws -> (router: PeerProcess, rawSocket: String, webSocket: String) {
        let (router, urls) = try await WAMPToolRouterTests.startRouter(try WAMPTool.require(), [
            "--listen", "rs://127.0.0.1:0", "--listen", "ws://127.0.0.1:0/ws", "--realm", "realm1",
            "--serializers", "json,msgpack,cbor",
        ])
        guard let rawSocket = urls.first(where: { $0.hasPrefix("rs://") }), let webSocket = urls.first(where: { $0.hasPrefix("ws://") })
        else {
            await router.stop()
            throw PeerFailure("wamp router did not print an rs:// and a ws:// URL: \(urls)")
        }
        return (router, rawSocket, webSocket)
    }

    /// Stops the router with SIGTERM and expects exit status 0.
    static func stopRouter(_ router: PeerProcess) async throws {
        kill(router.pid, SIGTERM)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }

    /// Runs the peer script against `url` and expects every check to pass.
    static func expectAllChecksPass(python: String, url: String, serializer: InteropSerializer) async throws {
        let arguments = [PeerEnvironment.peerScript("autobahn_router_client.py"), "--url", url, "--serializer", serializer.name]
        try await withPeer(python, arguments) { client in
            let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
            #expect(status == 0, "\(client.transcript)")
            let lines = Set(client.stdout.split(separator: "\n").map(String.init))
            for check in Self.checks {
                #expect(lines.contains("ok \(check)"), "\(check) over \(url) with \(serializer): \(client.transcript)")
            }
            #expect(lines.contains("RESULT passed=\(Self.checks.count) failed=0"), "\(client.transcript)")
        }
    }

    @Test("Autobahn RPC, progressive results, cancel, round robin, publish options, pattern subscriptions and the meta API pass through wamp router",
          arguments: [false, true], InteropSerializer.allCases)
    func autobahnSessionsThroughTheRouter(overWebSocket: Bool, serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        let (router, rawSocket, webSocket) = try await Self.startRouter()
        do {
            try await Self.expectAllChecksPass(python: python, url: overWebSocket ? webSocket : rawSocket, serializer: serializer)
        } catch {
            await router.stop()
            throw error
        }
        try await Self.stopRouter(router)
    }

    @Test("a RawSocket client sending CALL before HELLO, or a router's message after WELCOME, is cut off while Autobahn sessions go on")
    func protocolBreakerIsAbortedWhileAutobahnGoesOn() async throws {
        let python = try PeerEnvironment.requirePython()
        let (router, rawSocket, _) = try await Self.startRouter()
        do {
            guard let port = Int(rawSocket.split(separator: ":").last ?? "") else { throw PeerFailure("no port in \(rawSocket)") }
            let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: port)
            let arguments = [PeerEnvironment.peerScript("autobahn_router_client.py"), "--url", rawSocket, "--serializer", "msgpack"]
            try await withPeer(python, arguments) { client in
                // The Autobahn sessions run while the protocol breakers connect.
                try await withInteropConnection(to: endpoint, .json) { breaker in
                    try await breaker.send(.call(.init(request: 1, procedure: "com.example.router.echo")))
                    let reply = try await breaker.receive("the router's answer to CALL before HELLO")
                    #expect(reply.type == .abort, "\(reply)")
                    try await breaker.receiveEnd()
                }
                try await withInteropConnection(to: endpoint, .cbor) { breaker in
                    try await breaker.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
                    let welcome = try await breaker.receive("WELCOME")
                    #expect(welcome.type == .welcome, "\(welcome)")
                    // A message only a router sends, from a client: a protocol violation.
                    try await breaker.send(.welcome(.init(session: 1)))
                    try await breaker.receiveEnd()
                }
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                #expect(status == 0, "\(client.transcript)")
                #expect(client.stdout.contains("RESULT passed=\(Self.checks.count) failed=0"), "\(client.transcript)")
            }
            // The router still serves new sessions.
            try await Self.expectAllChecksPass(python: python, url: rawSocket, serializer: .json)
        } catch {
            await router.stop()
            throw error
        }
        try await Self.stopRouter(router)
    }
}
