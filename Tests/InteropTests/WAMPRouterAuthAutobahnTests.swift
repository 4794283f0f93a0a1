import Foundation
import Testing
import TimeGuards

/// Autobahn|Python asyncio clients logging in to `wamp router --config` (a generated config:
/// realm `com.example.secure` with ticket, WAMP-CRA, salted WAMP-CRA and cryptosign users and
/// two roles) over RawSocket and WebSocket with each serializer: each method's login, refused
/// logins (wrong secret, unknown key, no credentials) and refused requests
/// (`Peers/autobahn_router_auth.py`).
@Suite(
    "Autobahn|Python logins to wamp router",
    .enabled(if: PeerEnvironment.autobahnTestsEnabled, "no Python with autobahn: \(PeerEnvironment.installHint)"),
    .serialized, .scaledTimeLimit(minutes: 5)
)
struct WAMPRouterAuthAutobahnTests {
    /// The checks `autobahn_router_auth.py` prints `ok NAME` for.
    static let checks = [
        "login-ticket", "login-wampcra", "login-wampcra-salted", "login-cryptosign", "refused-ticket", "refused-wampcra",
        "refused-cryptosign", "refused-anonymous", "allowed-call", "denied-call", "denied-register", "denied-publish",
        "denied-subscribe",
    ]

    /// The users and roles the peer script expects; alice's key is the public key of the seed
    /// 00 01 ... 1f.
    static let config = #"""
        {
          "realms": [{
            "name": "com.example.secure",
            "allowsAnonymous": false,
            "roles": [
              {"name": "backend", "permissions": [
                {"uri": "com.example.", "match": "prefix", "allow": ["call", "register", "publish", "subscribe"]}]},
              {"name": "frontend", "permissions": [
                {"uri": "com.example.api.", "match": "prefix", "allow": ["call"]},
                {"uri": "com.example..changed", "match": "wildcard", "allow": ["subscribe"]}]}
            ],
            "users": [
              {"authid": "joe", "authrole": "frontend", "ticket": "secret!!!"},
              {"authid": "peter", "authrole": "backend", "wampcra": {"secret": "secret2"}},
              {"authid": "sam", "authrole": "backend",
               "wampcra": {"secret": "secret3", "salt": "salt123", "iterations": 1000, "keyLength": 32}},
              {"authid": "alice", "authrole": "backend",
               "cryptosignKeys": ["03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"]}
            ]
          }]
        }
        """#

    @Test("Autobahn logs in with ticket, WAMP-CRA, salted WAMP-CRA and cryptosign, is refused wrong credentials and unauthorized requests",
          arguments: [false, true], InteropSerializer.allCases)
    func autobahnLogins(overWebSocket: Bool, serializer: InteropSerializer) async throws {
        let python = try PeerEnvironment.requirePython()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-auth-\(getpid()).json")
        try Data(Self.config.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (router, urls) = try await WAMPToolRouterTests.startRouter(try WAMPTool.require(), [
            "--config", file.path, "--listen", "rs://127.0.0.1:0", "--listen", "ws://127.0.0.1:0/ws",
            "--serializers", "json,msgpack,cbor",
        ])
        do {
            let url = try #require(urls.first { $0.hasPrefix(overWebSocket ? "ws://" : "rs://") }, "\(urls)")
            let arguments = [PeerEnvironment.peerScript("autobahn_router_auth.py"), "--url", url, "--serializer", serializer.name]
            try await withPeer(python, arguments) { client in
                let status = try await client.waitForExit(timeout: InteropTimeouts.pythonRun)
                #expect(status == 0, "\(client.transcript)")
                let lines = Set(client.stdout.split(separator: "\n").map(String.init))
                for check in Self.checks {
                    #expect(lines.contains("ok \(check)"), "\(check) over \(url) with \(serializer): \(client.transcript)")
                }
                #expect(lines.contains("RESULT passed=\(Self.checks.count) failed=0"), "\(client.transcript)")
            }
        } catch {
            await router.stop()
            throw error
        }
        try await WAMPRouterAutobahnTests.stopRouter(router)
    }

    @Test("wamp router --config refuses bad roles and users, naming where and what",
          arguments: [
              (#"{"roles": [{"name": "x", "permissions": [{"uri": "a", "allow": ["read"]}]}]}"#,
               #"realms[r].roles[0].permissions[0].allow has "read""#),
              (#"{"roles": [{"name": "x", "permissions": [{"uri": "a", "match": "regex", "allow": ["call"]}]}]}"#,
               #"realms[r].roles[0].permissions[0].match is "regex""#),
              (#"{"users": [{"authid": "a", "authrole": "x", "cryptosignKeys": ["abc"]}]}"#,
               #"user "a": cryptosignKeys has "abc", expected 64 hex digits"#),
              (#"{"users": [{"authid": "a", "authrole": "x"}]}"#, #"user "a" has no credentials"#),
              (#"{"roles": [{"name": "x"}], "users": [{"authid": "a", "authrole": "y", "ticket": "t"}]}"#,
               #"user "a" has authrole "y", which is not among its roles"#),
          ])
    func invalidAuthConfigIsAValidationError(realmKeys: String, expected: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wamp-router-bad-auth-\(getpid()).json")
        let realm = #"{"name": "r", "# + realmKeys.dropFirst()
        try Data(#"{"realms": [\#(realm)]}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let router = try PeerProcess(try WAMPTool.require(), ["router", "--config", file.path])
        #expect(try await router.waitForExit(timeout: 60) == 2, "\(router.transcript)")
        #expect(router.stderr.contains(expected), "\(router.transcript)")
    }
}
