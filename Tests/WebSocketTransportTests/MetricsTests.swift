import JSONSerializer
import MetricsTestKit
import MetricsTestSupport
import NIOCore
import Testing
import TimeGuards
import Transport
import WebSocketTransport

/// The WebSocket transport's metrics, recorded in the test process's shared backend; each test
/// reads only the values carrying its own unique dimension.
@Suite("WebSocket metrics", .scaledTimeLimit(minutes: 1))
struct MetricsTests {
    let metrics = SharedTestMetrics.backend

    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        metrics.counterTotal(label: label, dimensions: dimensions)
    }

    @Test("messages and octets are counted on both sides; a client over maxConnections counts as refused and as HTTP 503")
    func messagesAndRefusalCounted() async throws {
        let test = SharedTestMetrics.uniqueDimension("websocket")
        let configuration = WebSocketConfiguration {
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
            $0.metricsDimensions = [test]
        }
        let server: [(String, String)] = [("transport", "websocket"), ("role", "server"), test]
        let client: [(String, String)] = [("transport", "websocket"), ("role", "client"), test]
        let webSocketServer = try await WebSocketServer.bind(
            to: .init(host: "127.0.0.1", port: 0, path: "/"), serializers: [WAMPJSONSerializer()],
            configuration: configuration, maxConnections: 1)
        let task = Task {
            try await webSocketServer.run { connection in
                for try await message in connection.inbound { try await connection.send(message) }
            }
        }
        let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: webSocketServer.port ?? 0)
        let first = try await WebSocketClient.connect(
            to: endpoint, serializers: [WAMPJSONSerializer()], configuration: configuration)
        await #expect(throws: WebSocketError.self) {
            try await WebSocketClient.connect(to: endpoint, serializers: [WAMPJSONSerializer()], configuration: configuration)
        }
        try await first.send(sampleMessages[0])
        var iterator = first.inbound.makeAsyncIterator()
        #expect(try await iterator.next() == sampleMessages[0])
        try await first.close()
        try await waitFor(TimeGuard.seconds(10)) { total(WAMPMetricNames.connectionsClosed, server) == 1 }
        await webSocketServer.shutdown()
        _ = await task.result

        var buffer = ByteBuffer()
        try WAMPJSONSerializer().serialize(sampleMessages[0], into: &buffer)
        let octets = Int64(buffer.readableBytes)
        let json = [("serializer", "json")]
        for side in [server, client] {
            #expect(total(WAMPMetricNames.messagesIn, side + json) == 1)
            #expect(total(WAMPMetricNames.messagesOut, side + json) == 1)
            #expect(total(WAMPMetricNames.octetsIn, side + json) == octets)
            #expect(total(WAMPMetricNames.octetsOut, side + json) == octets)
        }
        #expect(total(WAMPMetricNames.connectionsOpened, server) == 1)
        #expect(total(WAMPMetricNames.connectionsRefused, server + [("reason", "max_connections")]) == 1)
        #expect(total(WAMPMetricNames.handshakeFailures, server + [("code", "503")]) == 1)
        #expect(total(WAMPMetricNames.handshakeFailures, client + [("code", "upgradeRefused")]) == 1)
    }
}
