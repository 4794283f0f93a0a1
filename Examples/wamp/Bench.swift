import ArgumentParser
import Foundation
import Transport

/// `wamp bench`: sends EVENT messages to an echo server keeping a window in flight, verifies
/// every echo, and prints one JSON line with the throughput and the client's CPU time per
/// message, and a short summary on standard error.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure round trips of EVENT messages against an echo server.",
        discussion: """
            Prints one JSON line (sorted keys) on standard output: messages_per_second, \
            megabytes_per_second, and client_cpu_microseconds_per_message (user and system time of \
            this process over the timed messages, getrusage). A summary line goes to standard \
            error, and a progress line every second while it runs when standard error is a \
            terminal. An echo that differs from what was sent exits 6 (see wamp --help).
            """)

    @Option(help: ArgumentHelp("The echo server: \(TransportURL.clientSchemes)."))
    var url: TransportURL

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: SerializerOption.help)
    var serializer: SerializerOption = .standard

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
        let connection = try await TransportDialer.connect(url, serializer: plugin, tls: tls)
        let payloadLength = (try plugin.serialize(Self.event(count, text: text)) as [UInt8]).count
        let frameLength = payloadLength + url.clientFrameOverhead(length: payloadLength)
        let warmupCount = warmup ?? count / 10
        let (count, window) = (self.count, self.window)
        let echoes = ProgressCounter()
        let measured = try await ProgressReporter.run({ elapsed in
            let (done, after) = (echoes.count, "after \(String(format: "%.0f", elapsed)) s")
            if done < warmupCount { return "bench: warming up, \(done) of \(warmupCount) untimed echoes \(after)" }
            return "bench: \(done - warmupCount) of \(count) echoes \(after)"
        }) {
            try await withTaskExecutorPreference(connection.executor) {
                try await Self.exchange(connection, warmup: warmupCount, count: count, window: window, text: text, echoes: echoes)
            }
        }
        try await connection.close()
        let seconds = measured.elapsed.inSeconds
        let perSecond = Double(count) / seconds
        let megabytesPerSecond = (perSecond * Double(frameLength) / 1e6 * 100).rounded() / 100
        let cpuPerMessage = measured.cpuSeconds / Double(count) * 1e6
        let result: [String: Any] = [
            "transport": url.transportName, "serializer": serializer.rawValue, "count": count, "window": window, "payload_bytes": payloadBytes,
            "seconds": seconds, "messages_per_second": perSecond.rounded(), "megabytes_per_second": megabytesPerSecond,
            "client_cpu_seconds": (measured.cpuSeconds * 1000).rounded() / 1000,
            "client_cpu_microseconds_per_message": (cpuPerMessage * 100).rounded() / 100,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        printLine(String(decoding: data, as: UTF8.self))
        printError(
            "bench: \(count) echoes in \(String(format: "%.2f", seconds)) s over \(url.transportName)/\(serializer.rawValue): "
                + "\(Int(perSecond.rounded())) messages/s, \(megabytesPerSecond) MB/s, "
                + "client CPU \(String(format: "%.2f", cpuPerMessage)) µs per message")
    }

    /// What ``exchange(_:warmup:count:window:text:echoes:)`` measured over the timed messages.
    struct Measurement: Sendable {
        /// From the first timed send to the last echo.
        var elapsed: Duration
        /// This process's CPU time (user and system) over the same span.
        var cpuSeconds: Double
    }

    /// Sends `warmup + count` events keeping `window` in flight, checks that each echo equals
    /// what was sent, in order, and returns the time from the first timed send to the last echo.
    ///
    /// One task does both: it sends the first `window` events, then one more for each echo, so
    /// taking an echo and sending the next cost no task switch (the task runs on the
    /// connection's event loop).
    static func exchange<Connection: WAMPTransport>(
        _ connection: Connection, warmup: Int, count: Int, window: Int, text: String, echoes: ProgressCounter
    ) async throws -> Measurement {
        let total = warmup + count
        var sent = 0
        var start = ContinuousClock.now
        var cpuStart = ProcessCPUTime.now()
        func sendNext() async throws {
            if sent == warmup {
                start = ContinuousClock.now
                cpuStart = ProcessCPUTime.now()
            }
            try await connection.send(event(sent, text: text))
            sent += 1
        }
        while sent < min(window, total) { try await sendNext() }
        var received = 0
        for try await message in connection.inbound {
            guard message == event(received, text: text) else {
                throw ToolFailure(.checkFailed, "echo \(received) differs from what was sent: \(message)")
            }
            received += 1
            echoes.add()
            if received == total {
                return Measurement(elapsed: ContinuousClock.now - start, cpuSeconds: ProcessCPUTime.now() - cpuStart)
            }
            if sent < total { try await sendNext() }
        }
        throw ToolFailure(.connectionLost, "the echo server closed after \(received) of \(total) echoes")
    }
}
