import JSONSerializer
import MetricsTestKit
import MetricsTestSupport
import NIOCore
import RawSocketTransport
import Testing
import TimeGuards
import Transport

/// The transport metrics, recorded in the test process's shared backend; each test reads only
/// the values carrying its own unique dimension.
@Suite("RawSocket metrics", .scaledTimeLimit(minutes: 1))
struct MetricsTests {
    let metrics = SharedTestMetrics.backend

    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        metrics.counterTotal(label: label, dimensions: dimensions)
    }

    @Test("a connection is counted opened and closed, with its messages and octets in and out on both sides")
    func connectionAndMessagesCounted() async throws {
        let test = SharedTestMetrics.uniqueDimension("rawsocket-messages")
        let configuration = RawSocketConfiguration {
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
            $0.metricsDimensions = [test]
        }
        let server: [(String, String)] = [("transport", "rawsocket"), ("role", "server"), test]
        let client: [(String, String)] = [("transport", "rawsocket"), ("role", "client"), test]
        try await withEchoServer(configuration: configuration) { _, endpoint in
            try await withTimeout(10, "echo") {
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [jsonSerializer], configuration: configuration)
                var inbound = connection.inbound.makeAsyncIterator()
                for message in sampleMessages.prefix(2) {
                    try await connection.send(message)
                    #expect(try await inbound.next() == message)
                }
                try await connection.close()
            }
            let octets = try sampleMessages.prefix(2).reduce(Int64(0)) { sum, message in
                var buffer = ByteBuffer()
                try jsonSerializer.serialize(message, into: &buffer)
                return sum + Int64(buffer.readableBytes)
            }
            try await waitUntil(10, "the server to count the close") {
                total(WAMPMetricNames.connectionsClosed, server) == 1
            }
            #expect(total(WAMPMetricNames.connectionsOpened, server) == 1)
            #expect(try metrics.expectMeter(WAMPMetricNames.connections, server).lastValue == 0)
            let json = [("serializer", "json")]
            for side in [server, client] {
                #expect(total(WAMPMetricNames.messagesIn, side + json) == 2)
                #expect(total(WAMPMetricNames.messagesOut, side + json) == 2)
                #expect(total(WAMPMetricNames.octetsIn, side + json) == octets)
                #expect(total(WAMPMetricNames.octetsOut, side + json) == octets)
            }
        }
    }

    @Test("a connection over maxConnections is counted refused, and as a handshake failure with code 4 on both sides")
    func refusalCounted() async throws {
        let test = SharedTestMetrics.uniqueDimension("rawsocket-refused")
        let configuration = RawSocketConfiguration {
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
            $0.metricsDimensions = [test]
        }
        let server: [(String, String)] = [("transport", "rawsocket"), ("role", "server"), test]
        let client: [(String, String)] = [("transport", "rawsocket"), ("role", "client"), test]
        try await withEchoServer(configuration: configuration, maxConnections: 1) { _, endpoint in
            try await withTimeout(10, "connection limit") {
                let first = try await RawSocketClient.connect(
                    to: endpoint, serializers: [jsonSerializer], configuration: configuration)
                _ = await expectErrorAsync(.handshakeRefused) {
                    try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer], configuration: configuration)
                }
                try await first.close()
            }
            #expect(total(WAMPMetricNames.connectionsRefused, server + [("reason", "max_connections")]) == 1)
            #expect(total(WAMPMetricNames.connectionsOpened, server) == 1)
            try await waitUntil(10, "the server to count the refused handshake") {
                total(WAMPMetricNames.handshakeFailures, server + [("code", "4")]) == 1
            }
            #expect(total(WAMPMetricNames.handshakeFailures, client + [("code", "4")]) == 1)
        }
    }

    @Test("a frame that breaks the protocol after the handshake is counted as a protocol error with its code")
    func protocolErrorCounted() async throws {
        let test = SharedTestMetrics.uniqueDimension("rawsocket-protocol-error")
        let configuration = RawSocketConfiguration {
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
            $0.metricsDimensions = [test]
        }
        let server: [(String, String)] = [("transport", "rawsocket"), ("role", "server"), test]
        try await withEchoServer(configuration: configuration) { echo, _ in
            try await withTimeout(10, "bad frame") {
                _ = try await withRawClient(port: echo.port!) { raw in
                    // Handshake: magic, JSON with the largest length, then a frame of reserved type 7.
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    try await raw.write([0x07, 0x00, 0x00, 0x01, 0x20])
                    return await raw.readToEnd()
                }
            }
            try await waitUntil(10, "the server to count the protocol error") {
                total(WAMPMetricNames.protocolErrors, server + [("code", "reservedFrameType")]) == 1
            }
        }
    }
}
