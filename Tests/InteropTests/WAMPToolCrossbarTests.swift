import Foundation
import RawSocketTransport
import Testing
import Transport

/// The built `wamp` tool, next to the test bundle in the build directory.
enum WAMPTool {
    static var path: String? {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("wamp").path,
            PeerEnvironment.packageRoot.appendingPathComponent(".build/debug/wamp").path,
        ].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func require() throws -> String {
        guard let path else { throw PeerFailure("the wamp tool is not built: run swift build --build-tests first") }
        return path
    }
}

/// The `wamp` tool's session subcommands, run as processes against Crossbar.io.
extension CrossbarTests {
    @Test("wamp register (MessagePack) + wamp call (CBOR): the echo comes back as one JSON line; a WAMP error goes to stderr with exit 1; SIGTERM ends register with exit 0",
          arguments: RouterTransport.allCases)
    func toolCallAndRegister(_ transport: RouterTransport) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        try await WAMPToolSessionChecks.callAndRegister(
            tool: try WAMPTool.require(), url: transport.endpoint(router).description, procedure: "com.example.tool.echo.\(transport)")
    }

    @Test("wamp subscribe --count 2 + wamp publish: two JSON event lines, publish exits 0 on PUBLISHED")
    func toolSubscribeAndPublish() async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        try await WAMPToolSessionChecks.subscribeAndPublish(
            tool: try WAMPTool.require(), subscriberURL: router.tcp.description, publisherURL: router.unix.description,
            topic: "com.example.tool.topic")
    }

    @Test("wamp call with --authid/--ticket joins the authenticated realm")
    func toolAuthentication() async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let tool = try WAMPTool.require()
        let call = try PeerProcess(tool, [
            "call", "--url", router.authTCP.description, "--realm", "authrealm", "--authid", "ticketuser", "--ticket", "ticket-secret",
            "wamp.session.count",
        ])
        #expect(try await call.waitForExit(timeout: InteropTimeouts.pythonRun) == 0, "\(call.transcript)")
        #expect(call.stdout.hasPrefix("{\"args\": ["), "\(call.stdout)")
        let refused = try PeerProcess(tool, [
            "call", "--url", router.authTCP.description, "--realm", "authrealm", "--authid", "ticketuser", "--ticket", "wrong",
            "wamp.session.count",
        ])
        // ABORT refusing the login: a WAMP-level error, exit 1 (see `wamp --help`).
        #expect(try await refused.waitForExit(timeout: InteropTimeouts.pythonRun) == 1, "\(refused.transcript)")
    }
}
