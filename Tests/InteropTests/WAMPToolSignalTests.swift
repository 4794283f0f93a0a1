import Foundation
import JSONSerializer
import RawSocketTransport
import Testing
import TimeGuards
import Transport

/// The `wamp` servers run as a swift-service-lifecycle service: SIGTERM and SIGINT shut them
/// down gracefully.
@Suite("wamp servers and signals", .scaledTimeLimit(minutes: 2))
struct WAMPToolSignalTests {
    @Test("SIGTERM closes the echo server's open connections cleanly and it exits 0",
          arguments: [["--listen", "rs://127.0.0.1:0"], ["--listen", "ws://127.0.0.1:0/ws", "--universal"]])
    func sigtermShutsDownGracefully(_ arguments: [String]) async throws {
        let tool = try WAMPTool.require()
        let server = try PeerProcess(tool, ["echo-server"] + arguments)
        let line = try await server.waitForLine(startingWith: "listening on ", timeout: 60)
        // `listening on rs://127.0.0.1:PORT` or `listening on rs://127.0.0.1:PORT and ws://...`.
        let url = try #require(line.dropFirst("listening on ".count).split(separator: " ").first)
        let endpoint = try RawSocketEndpoint(url: String(url))
        let connection = try await RawSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()])
        let hello = WAMPMessage.hello(.init(realm: "realm1", details: [:]))
        try await connection.send(hello)
        var inbound = connection.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == hello)
        kill(server.pid, SIGTERM)
        // Closed by the server, cleanly: the sequence ends without an error.
        #expect(try await inbound.next() == nil)
        #expect(try await server.waitForExit(timeout: 60) == 0)
    }
}
