import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RawSocketTransport
import Transport

/// `wamp soak`: many concurrent connections to one echo server for a bounded time, every
/// message counted. By default it starts `wamp echo-server` as a child process on loopback and
/// reads that process's memory (VmRSS) from `/proc` at the start, while the connections are
/// open, at the peak and after they close.
///
/// Each connection keeps `window` PUBLISH messages in flight, each carrying the connection's
/// number and a sequence number, and checks that every echo is the next one it sent: a lost,
/// doubled or reordered message is counted and makes the command fail.
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Soak test: many concurrent connections to one echo server, every message counted.")

    @Option(help: "How many client connections to open at once.")
    var connections: Int = 1000

    @Option(help: "How long the connections exchange messages, in seconds.")
    var duration: Double = 60

    @Option(help: "Messages each connection keeps in flight.")
    var window: Int = 4

    @Option(help: "The length of each message's string argument.")
    var payloadBytes: Int = 32

    @Option(help: "Serializers used by the connections in turn, comma-separated.")
    var serializers: String = "json,msgpack"

    @Option(help: "An echo server to use instead of starting one (its memory is then not measured).")
    var connect: RawSocketEndpoint?

    @Option(help: "How many rounds of connect, exchange and close to run against the same server.")
    var rounds: Int = 1

    func validate() throws {
        guard connections > 0, duration > 0, window > 0, payloadBytes >= 0, rounds > 0 else {
            throw ValidationError("connections, duration, window and rounds must be positive")
        }
    }

    /// What one connection counted.
    struct Tally: Sendable {
        var sent = 0
        var received = 0
        /// Echoes that were not the next message sent (lost, doubled or reordered).
        var unexpected = 0
        /// Why the connection failed, if it did.
        var failure: String?
    }

    func run() async throws {
        let plugins = try SerializerOption.list(serializers)
        let server = connect == nil ? try await ServerProcess.start(maxConnections: connections + 16) : nil
        defer { server?.stop() }
        guard let endpoint = connect ?? server?.endpoint else { throw ValidationError("no server") }
        let filler = String(repeating: "s", count: payloadBytes)
        let startRSS = try await server?.settledRSS()
        let startFDs = server?.openFileDescriptors()
        var results: [[String: Any]] = []
        var failed = false
        for round in 1 ... rounds {
            let sampler = server.map { MemorySampler(pid: $0.pid) }
            // 1. Open every connection (at most 200 handshakes at a time: the listen backlog is 256).
            var opened: [RawSocketConnection?] = Array(repeating: nil, count: connections)
            var connectFailures: [String] = []
            try await withThrowingTaskGroup(of: (Int, Result<RawSocketConnection, any Error>).self) { group in
                var next = 0
                func addNext() {
                    let index = next
                    next += 1
                    let plugin = plugins[index % plugins.count].serializer
                    group.addTask {
                        do {
                            return (index, .success(try await RawSocketClient.connect(to: endpoint, serializer: plugin)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                while next < min(200, connections) { addNext() }
                for try await (index, result) in group {
                    switch result {
                    case .success(let connection): opened[index] = connection
                    case .failure(let error): connectFailures.append("connection \(index): \(error)")
                    }
                    if next < connections { addNext() }
                }
            }
            let clients = opened.compactMap { $0 }
            let connectedRSS = sampler?.sample()
            let connectedFDs = server?.openFileDescriptors()
            // 2. Exchange for `duration` seconds, all connections at once.
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start.advanced(by: .milliseconds(Int64(duration * 1000)))
            let tallies = await withTaskGroup(of: Tally.self) { group in
                for (index, client) in clients.enumerated() {
                    let window = self.window
                    group.addTask { await Self.exchange(client, connection: index, window: window, filler: filler, until: deadline) }
                }
                var all: [Tally] = []
                for await tally in group { all.append(tally) }
                return all
            }
            let elapsed = clock.now - start
            // 3. Close every connection, then let the server settle.
            await withTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { try? await client.close() } }
            }
            let peakRSS = await sampler?.stop()
            let afterRSS = try await server?.settledRSS()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let sent = tallies.reduce(0) { $0 + $1.sent }
            let received = tallies.reduce(0) { $0 + $1.received }
            let unexpected = tallies.reduce(0) { $0 + $1.unexpected }
            let failures = connectFailures + tallies.compactMap(\.failure)
            var result: [String: Any] = [
                "round": round, "connections": clients.count, "connect_failures": connectFailures.count,
                "serializers": plugins.map(\.rawValue), "window": window, "seconds": (seconds * 100).rounded() / 100,
                "messages_sent": sent, "messages_received": received, "lost": sent - received,
                "unexpected_echoes": unexpected, "failed_connections": failures.count,
                "messages_per_second": (Double(received) / seconds).rounded(),
            ]
            if let startRSS { result["server_rss_start_kib"] = startRSS }
            if let connectedRSS { result["server_rss_connected_kib"] = connectedRSS }
            if let peakRSS { result["server_rss_peak_kib"] = peakRSS }
            if let afterRSS { result["server_rss_after_close_kib"] = afterRSS }
            if let startFDs { result["server_fds_start"] = startFDs }
            if let connectedFDs { result["server_fds_connected"] = connectedFDs }
            if let afterFDs = server?.openFileDescriptors() { result["server_fds_after_close"] = afterFDs }
            if let first = failures.first { result["first_failure"] = first }
            results.append(result)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            printLine(String(decoding: data, as: UTF8.self))
            if sent != received || unexpected != 0 || !failures.isEmpty { failed = true }
        }
        if failed { throw ExitCode.failure }
    }

    /// The message number `sequence` of connection `connection`.
    static func message(connection: Int, sequence: Int, filler: String) -> WAMPMessage {
        .publish(.init(
            request: WAMPID(sequence + 1), topic: "com.example.soak",
            payload: .arguments([.integer(Int64(connection)), .integer(Int64(sequence)), .string(filler)], [:])))
    }

    /// Keeps `window` messages in flight until `deadline`, then waits for the last echoes.
    static func exchange(
        _ client: RawSocketConnection, connection: Int, window: Int, filler: String, until deadline: ContinuousClock.Instant
    ) async -> Tally {
        var tally = Tally()
        do {
            var inbound = client.inbound.makeAsyncIterator()
            while tally.sent < window {
                try await client.send(message(connection: connection, sequence: tally.sent, filler: filler))
                tally.sent += 1
            }
            while tally.received < tally.sent {
                guard let echo = try await inbound.next() else {
                    tally.failure = "connection \(connection): the server closed after \(tally.received) of \(tally.sent) echoes"
                    return tally
                }
                if echo != message(connection: connection, sequence: tally.received, filler: filler) { tally.unexpected += 1 }
                tally.received += 1
                if ContinuousClock.now < deadline {
                    try await client.send(message(connection: connection, sequence: tally.sent, filler: filler))
                    tally.sent += 1
                }
            }
        } catch {
            tally.failure = "connection \(connection): \(error)"
        }
        return tally
    }
}

/// `wamp echo-server` started as a child process on a free loopback port. Use it from one task.
final class ServerProcess {
    let pid: Int32
    let endpoint: RawSocketEndpoint
    private let process: Process

    private init(process: Process, endpoint: RawSocketEndpoint) {
        self.process = process
        self.pid = process.processIdentifier
        self.endpoint = endpoint
    }

    static func start(maxConnections: Int) async throws -> ServerProcess {
        // A port that is free now: bind port 0, note the port, close.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress?.port ?? 0
        try await probe.close()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [
            "echo-server", "--listen", "rs://127.0.0.1:\(port)", "--serializers", "json,msgpack",
            "--max-connections", "\(maxConnections)", "--release-idle-memory",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The server prints one line when it listens: `listening on rs://127.0.0.1:PORT`.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening on "), let endpoint = try? RawSocketEndpoint(url: String(text.dropFirst(13))) else {
            process.terminate()
            throw ValidationError("the echo server did not start: \(text)")
        }
        return ServerProcess(process: process, endpoint: endpoint)
    }

    /// The resident set size in KiB after it stopped changing (sampled every 250 ms, at most 10 s).
    func settledRSS() async throws -> Int? {
        var last = MemorySampler.rss(pid: pid)
        for _ in 0 ..< 40 {
            try await Task.sleep(for: .milliseconds(250))
            let now = MemorySampler.rss(pid: pid)
            if now == last { break }
            last = now
        }
        return last
    }

    /// The number of file descriptors the server has open (its listening socket, one per
    /// connection, and a few of its own).
    func openFileDescriptors() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Samples a process's resident set size every 100 ms, keeping the peak.
final class MemorySampler: Sendable {
    private let task: Task<Int, Never>
    let pid: Int32

    init(pid: Int32) {
        self.pid = pid
        task = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, Self.rss(pid: pid) ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return max(peak, Self.rss(pid: pid) ?? 0)
        }
    }

    func sample() -> Int? { Self.rss(pid: pid) }

    /// Stops sampling and returns the peak in KiB.
    func stop() async -> Int {
        task.cancel()
        return await task.value
    }

    /// `VmRSS` of `/proc/PID/status`, in KiB.
    static func rss(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
