import JSONSerializer
import NIOCore
import Synchronization
import Testing
import TimeGuards
import Transport
import WebSocketTransport

/// A peer that stops reading must not make the sender's memory grow, on the connection's event
/// loop or off it.
@Suite("WebSocket back-pressure", .scaledTimeLimit(minutes: 1))
struct BackPressureTests {
    @Test(
        "sending to a server that stops reading suspends the sender after a bounded amount, on the event loop or off it",
        arguments: [true, false])
    func sendsWaitWhenThePeerStopsReading(onEventLoop: Bool) async throws {
        let serverConfiguration = WebSocketConfiguration {
            $0.pingInterval = nil; $0.closeTimeout = .milliseconds(200); $0.maxBufferedMessages = 2
        }
        let server = try await WebSocketServer.bind(
            to: .init(host: "127.0.0.1", port: 0, path: "/"), serializers: [WAMPJSONSerializer()],
            configuration: serverConfiguration)
        // The handler never takes a message: after two, the server stops reading.
        let task = Task { try await server.run { connection in await connection.closed } }
        let connection = try await WebSocketClient.connect(
            to: WebSocketEndpoint(host: "127.0.0.1", port: server.port ?? 0), serializers: [WAMPJSONSerializer()],
            configuration: WebSocketConfiguration { $0.pingInterval = nil; $0.closeTimeout = .milliseconds(200) })
        let sent = Atomic<Int>(0)
        let payload = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
        let sender = Task {
            try await withTaskExecutorPreference(onEventLoop ? connection.executor : nil) {
                for _ in 0 ..< 1600 {
                    try await connection.send(payload: payload)
                    sent.add(1, ordering: .relaxed)
                }
            }
        }
        var last = -1
        var stableRounds = 0
        for _ in 0 ..< TimeGuard.polls(20, every: 0.2) where stableRounds < 3 {
            try await Task.sleep(for: .milliseconds(200))
            let now = sent.load(ordering: .relaxed)
            stableRounds = now == last ? stableRounds + 1 : 0
            last = now
        }
        let stalledAt = sent.load(ordering: .relaxed)
        #expect(stableRounds >= 3, "the sender never stalled: \(stalledAt) sends went through")
        // Socket buffers both ways plus the server's two buffered messages plus the sender's
        // bound (writability or maxUnwrittenSendBytes): a few MiB.
        #expect(stalledAt < 250, "\(stalledAt) × 64 KiB were accepted by a server that reads nothing")
        sender.cancel()
        try? await connection.close()
        _ = await sender.result
        await server.shutdown()
        _ = await task.result
    }
}
