import NIOCore
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

/// A peer that stops reading must not make the sender's memory grow: sends wait for the
/// socket to drain instead of queueing without bound.
@Suite("Back-pressure", .scaledTimeLimit(minutes: 1))
struct BackPressureTests {
    @Test(
        "sending to a peer that stops reading suspends the sender after a bounded amount, on the event loop or off it",
        arguments: [true, false])
    func sendsWaitWhenThePeerStopsReading(onEventLoop: Bool) async throws {
        try await withRawServer({ raw in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF1, 0x00, 0x00])
            // Never read again: kernel buffers fill, then TCP's window closes.
            try await Task.sleep(for: .seconds(30))
        }) { fake in
            let configuration = RawSocketConfiguration { $0.closeTimeout = .milliseconds(300) }
            let connection = try await withTimeout(5, "connect") {
                try await RawSocketClient.connect(to: fake.endpoint, serializers: [jsonSerializer], configuration: configuration)
            }
            let sent = Atomic<Int>(0)
            let payload = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
            let sender = Task {
                // 100 MiB in total, far more than socket buffers hold. On the connection's
                // event loop (as server handlers run) the channel's writability stops the
                // sender; from another thread, maxUnwrittenSendBytes (256 KiB) does: it
                // cannot hand the loop more than that before the loop catches up.
                try await withTaskExecutorPreference(onEventLoop ? connection.executor : nil) {
                    for _ in 0 ..< 1600 {
                        try await connection.send(payload: payload)
                        sent.add(1, ordering: .relaxed)
                    }
                }
            }
            // Wait until the sender stops making progress.
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
            // At most a few MiB are in flight: socket buffers (measured: 91 to 111 × 64 KiB,
            // both ways) plus NIO's writability watermark or maxUnwrittenSendBytes. Before the
            // bound on off-loop sends, a loaded run accepted 1,526.
            #expect(stalledAt < 250, "\(stalledAt) × 64 KiB were accepted by a peer that reads nothing")
            // close() gives up waiting for the stalled writes after closeTimeout, and the
            // suspended sender is released with an error.
            try await withTimeout(5, "close with a peer that does not read") {
                sender.cancel()
                try? await connection.close()
                _ = await sender.result
            }
        }
    }
}
