import ArgumentParser
import Foundation
import Transport

/// `wamp bench`: sends EVENT messages to an echo server keeping a window in flight, verifies
/// every echo, and prints one JSON line with the throughput.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure round trips of EVENT messages against an echo server.")

    @Option(help: "The echo server: rs://HOST:PORT, rss://HOST:PORT, rs+unix:///PATH, ws://HOST:PORT/PATH or wss://HOST:PORT/PATH.")
    var connect: TransportURL

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: "json, msgpack or cbor.")
    var serializer: SerializerOption = .msgpack

    @Option(help: "How many messages to send.")
    var count: Int = 100_000

    @Option(help: "How many messages to keep in flight.")
    var window: Int = 64

    @Option(help: "The length of the EVENT's first argument, a string.")
    var payloadBytes: Int = 5

    @Option(help: "Untimed messages sent first (default: count / 10).")
    var warmup: Int?

    func validate() throws {
        guard count > 0, window > 0, payloadBytes >= 0 else {
            throw ValidationError("count and window must be positive, payload-bytes not negative")
        }
    }

    /// The EVENT of the shared benchmark workload: `[36, sub, pub, {}, [text, 42, 3.14], {"k": "v"}]`.
    static func event(_ index: Int, text: String) -> WAMPMessage {
        .event(.init(
            subscription: 1, publication: WAMPID(index + 1), details: [:],
            payload: .arguments([.string(text), 42, 3.14], ["k": "v"])))
    }

    func run() async throws {
        let plugin = serializer.serializer
        let text = payloadBytes == 5 ? "hello" : String(repeating: "a", count: payloadBytes)
        let connection = try await TransportDialer.connect(connect, serializer: plugin, tls: tls)
        let payloadLength = (try plugin.serialize(Self.event(count, text: text)) as [UInt8]).count
        let frameLength = payloadLength + connect.clientFrameOverhead(length: payloadLength)
        let warmupCount = warmup ?? count / 10
        let elapsed = try await withTaskExecutorPreference(connection.executor) {
            try await Self.exchange(connection, warmup: warmupCount, count: count, window: window, text: text)
        }
        try await connection.close()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSecond = Double(count) / seconds
        let result: [String: Any] = [
            "transport": connect.transportName, "serializer": serializer.rawValue, "count": count, "window": window, "payload_bytes": payloadBytes,
            "seconds": seconds, "messages_per_second": perSecond.rounded(),
            "megabytes_per_second": (perSecond * Double(frameLength) / 1e6 * 100).rounded() / 100,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        printLine(String(decoding: data, as: UTF8.self))
    }

    /// Sends `warmup + count` events keeping `window` in flight, checks that each echo equals
    /// what was sent, in order, and returns the time from the first timed send to the last echo.
    ///
    /// One task does both: it sends the first `window` events, then one more for each echo, so
    /// taking an echo and sending the next cost no task switch (the task runs on the
    /// connection's event loop).
    static func exchange<Connection: WAMPTransport>(
        _ connection: Connection, warmup: Int, count: Int, window: Int, text: String
    ) async throws -> Duration {
        let total = warmup + count
        var sent = 0
        var start = ContinuousClock.now
        func sendNext() async throws {
            if sent == warmup { start = ContinuousClock.now }
            try await connection.send(event(sent, text: text))
            sent += 1
        }
        while sent < min(window, total) { try await sendNext() }
        var received = 0
        for try await message in connection.inbound {
            guard message == event(received, text: text) else {
                throw ValidationError("echo \(received) differs from what was sent: \(message)")
            }
            received += 1
            if received == total { return ContinuousClock.now - start }
            if sent < total { try await sendNext() }
        }
        throw ValidationError("the server closed after \(received) of \(total) echoes")
    }
}
