import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RawSocketTransport
import Transport

/// `wamp soak`: many concurrent connections to one echo server for a bounded time, every
/// message counted. By default it starts `wamp echo-server` as a child process on loopback and
/// reads that process's memory from `/proc` (resident, split into anonymous and file-backed, and
/// its threads) after a warm-up, while the connections are open, at the peak and after they close.
///
/// The start level is taken after a few warm-up connections have exchanged messages with both
/// serializers and closed: by then the code that serves a connection has been paged in and the
/// threads exist. The run fails when the server's anonymous memory after the close is more than
/// `--memory-tolerance-mib` above that level. File-backed memory (code pages) is reported, not judged.
///
/// Each connection keeps `window` PUBLISH messages in flight, each carrying the connection's
/// number and a sequence number, and checks that every echo is the next one it sent: a lost,
/// doubled or reordered message is counted and makes the command fail.
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Soak test: many concurrent connections to one echo server, every message counted.",
        discussion: """
            Prints one JSON line per round (sorted keys) on standard output and a summary line per \
            round on standard error, and a progress line every second while the connections \
            exchange messages when standard error is a terminal. A lost, wrong or reordered echo, \
            a failed connection, or server memory above the tolerance exits 6 (see wamp --help).
            """)

    @Option(help: "How many client connections to open at once.")
    var connections: Int = 1000

    @Option(help: "How long the connections exchange messages, in seconds.")
    var duration: Double = 60

    @Option(help: "Messages each connection keeps in flight.")
    var window: Int = 4

    @Option(help: "The length of each message's string argument.")
    var payloadBytes: Int = 32

    /// The connections' serializers when none are given: the mix the measurements in
    /// HostileInput.md were taken with (a workload, not a server's accepted list).
    static let defaultSerializers = "json,msgpack"

    @Option(help: "Serializers used by the connections in turn, comma-separated: json, msgpack, cbor.")
    var serializers: String = defaultSerializers

    @Option(help: """
        An echo server to use instead of starting one (its memory is then not measured): \
        rs://HOST:PORT or rs+unix:///PATH (RawSocket without TLS only).
        """)
    var url: RawSocketEndpoint?

    @Option(help: "How many rounds of connect, exchange and close to run against the same server.")
    var rounds: Int = 1

    @Option(help: """
        How far the started server's anonymous memory (RssAnon) may stay above its warmed-up start \
        level after every connection closed, in MiB; more fails the run. (Measured with 1,000 \
        connections: 0.9 to 2.3 MiB.)
        """)
    var memoryToleranceMib: Double = 4

    /// For investigating: an extra argument for the started echo server, e.g.
    /// `--server-argument=--malloc-stats`; may be repeated.
    @Option(parsing: .unconditionalSingleValue, help: .hidden)
    var serverArgument: [String] = []

    /// For investigating: a directory where the started server's `/proc/PID/smaps` is saved at
    /// each phase (`cold`, `start`, `roundN-connected`, `roundN-exchanged`, `roundN-after-close`).
    @Option(help: .hidden)
    var mappingsDirectory: String?

    func validate() throws {
        guard connections > 0, duration > 0, window > 0, payloadBytes >= 0, rounds > 0, memoryToleranceMib >= 0 else {
            throw ValidationError("connections, duration, window and rounds must be positive, the memory tolerance not negative")
        }
        _ = try SerializerOption.list(serializers)
        if let url, url.usesTLS { throw ValidationError("--url \(url): soak connects without TLS; give rs:// or rs+unix://") }
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
        // One progress line a second for the whole run, settling phases included.
        let progress = ProgressCounter()
        progress.phase = "starting"
        try await ProgressReporter.run({ elapsed in
            "soak: \(progress.phase), \(progress.count) echoes so far, after \(String(format: "%.0f", elapsed)) s"
        }) {
            try await soak(progress)
        }
    }

    /// The soak run, counting echoes and naming its phases in `progress`.
    func soak(_ progress: ProgressCounter) async throws {
        let plugins = try SerializerOption.list(serializers)
        let server = url == nil
            ? try await ServerProcess.start(maxConnections: connections + 16, extraArguments: serverArgument) : nil
        defer { server?.stop() }
        guard let endpoint = url ?? server?.endpoint else { throw ToolFailure(.failure, "no echo server to connect to") }
        let filler = String(repeating: "s", count: payloadBytes)
        progress.phase = "waiting for the server's memory to settle"
        let coldMemory = try await server?.settledMemory()
        save(server, "cold")
        progress.phase = "warming up"
        try await warmUp(endpoint, plugins: plugins, filler: filler)
        progress.phase = "waiting for the server's memory to settle"
        let startMemory = try await server?.settledMemory()
        save(server, "start")
        let startFDs = server?.openFileDescriptors()
        var soakFailures: [String] = []
        for round in 1 ... rounds {
            let sampler = server.map { MemorySampler(pid: $0.pid) }
            let roundName = "round\(round)"
            var roundFailures: [String] = []
            progress.phase = "round \(round): opening \(connections) connections"
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
                            return (index, .success(try await RawSocketClient.connect(to: endpoint, serializers: [plugin])))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                while next < min(200, connections) { addNext() }
                for try await (index, result) in group {
                    switch result {
                    case .success(let connection): opened[index] = connection
                    case .failure(let error): connectFailures.append("connection \(index): \(ToolFailure.text(error))")
                    }
                    if next < connections { addNext() }
                }
            }
            let clients = opened.compactMap { $0 }
            let connectedMemory = server?.memory()
            save(server, "\(roundName)-connected")
            let connectedFDs = server?.openFileDescriptors()
            // 2. Exchange for `duration` seconds, all connections at once.
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start.advanced(by: .milliseconds(Int64(duration * 1000)))
            progress.phase = "round \(round): \(clients.count) connections exchanging for \(duration) s"
            let tallies = await withTaskGroup(of: Tally.self) { group in
                for (index, client) in clients.enumerated() {
                    let window = self.window
                    group.addTask {
                        await Self.exchange(client, connection: index, window: window, filler: filler, until: deadline, echoes: progress)
                    }
                }
                var all: [Tally] = []
                for await tally in group { all.append(tally) }
                return all
            }
            let elapsed = clock.now - start
            save(server, "\(roundName)-exchanged")
            // 3. Close every connection, then let the server settle.
            progress.phase = "round \(round): closing, then waiting for the server's memory to settle"
            await withTaskGroup(of: Void.self) { group in
                for client in clients { group.addTask { try? await client.close() } }
            }
            let peakMemory = await sampler?.stop()
            let afterMemory = try await server?.settledMemory()
            save(server, "\(roundName)-after-close")
            let seconds = elapsed.inSeconds
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
            for (phase, memory) in [
                ("cold", coldMemory), ("start", startMemory), ("connected", connectedMemory), ("peak", peakMemory),
                ("after_close", afterMemory),
            ] {
                if let memory { result.merge(memory.members(phase: phase)) { $1 } }
            }
            var memoryFailure: String?
            if let startMemory, let afterMemory {
                let retained = afterMemory.anonymous - startMemory.anonymous
                result["server_anon_retained_kib"] = retained
                if Double(retained) > memoryToleranceMib * 1024 {
                    memoryFailure = """
                        the server's anonymous memory after close is \(ProcessMemory.mebibytes(afterMemory.anonymous)) MiB, \
                        \(ProcessMemory.mebibytes(retained)) MiB above its warmed-up start level \
                        (\(ProcessMemory.mebibytes(startMemory.anonymous)) MiB); the tolerance is \(memoryToleranceMib) MiB
                        """
                }
                result["server_memory_within_tolerance"] = memoryFailure == nil
            }
            if let startFDs { result["server_fds_start"] = startFDs }
            if let connectedFDs { result["server_fds_connected"] = connectedFDs }
            if let afterFDs = server?.openFileDescriptors() { result["server_fds_after_close"] = afterFDs }
            if let first = failures.first { result["first_failure"] = first }
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            printLine(String(decoding: data, as: UTF8.self))
            printError(
                "soak round \(round): \(clients.count) connections for \(String(format: "%.1f", seconds)) s, "
                    + "\(received) of \(sent) messages echoed (\(Int((Double(received) / seconds).rounded())) per second), "
                    + "\(sent - received) lost, \(unexpected) unexpected, \(failures.count) failed connections")
            if let startMemory, let peakMemory, let afterMemory, let connectedMemory {
                printError(summary(
                    round: round,
                    [("start", startMemory), ("connected", connectedMemory), ("peak", peakMemory), ("after close", afterMemory)]))
            }
            if let memoryFailure { roundFailures.append(memoryFailure) }
            if sent != received { roundFailures.append("\(sent - received) of \(sent) messages lost") }
            if unexpected != 0 { roundFailures.append("\(unexpected) echoes were not the next message sent") }
            if let first = failures.first { roundFailures.append("\(failures.count) connections failed, first: \(first)") }
            soakFailures += roundFailures.map { "round \(round): \($0)" }
        }
        if !soakFailures.isEmpty { throw ToolFailure(.checkFailed, "soak failed: " + soakFailures.joined(separator: "; ")) }
    }

    /// Opens two connections per serializer at once, exchanges a few messages on each and closes
    /// them: afterwards the server has run every code path a soak connection takes.
    func warmUp(_ endpoint: RawSocketEndpoint, plugins: [SerializerOption], filler: String) async throws {
        let clients = try await withThrowingTaskGroup(of: RawSocketConnection.self) { group in
            for index in 0 ..< 2 * plugins.count {
                let plugin = plugins[index % plugins.count].serializer
                group.addTask { try await RawSocketClient.connect(to: endpoint, serializers: [plugin]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let window = self.window
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    await Self.exchange(client, connection: index, window: window, filler: filler, until: .now, echoes: ProgressCounter())
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for client in clients { try? await client.close() }
        if let failure = tallies.compactMap(\.failure).first { throw ToolFailure(.checkFailed, "warm-up failed: \(failure)") }
    }

    /// Saves the server's mappings to the hidden `--mappings-directory`, if given, as `NAME.smaps`.
    func save(_ server: ServerProcess?, _ name: String) {
        guard let mappingsDirectory, let server else { return }
        server.saveMappings(to: "\(mappingsDirectory)/\(name).smaps")
    }

    /// One line per phase: `round 1 server memory (MiB): start 25.1 (anon 8.0, file 17.1, 5 threads), ...`.
    func summary(round: Int, _ phases: [(String, ProcessMemory)]) -> String {
        let parts = phases.map { name, memory in
            "\(name) \(ProcessMemory.mebibytes(memory.resident)) (anon \(ProcessMemory.mebibytes(memory.anonymous)), "
                + "file \(ProcessMemory.mebibytes(memory.file)), \(memory.threads) threads)"
        }
        return "round \(round) server memory, MiB: " + parts.joined(separator: "; ")
    }

    /// The message number `sequence` of connection `connection`.
    static func message(connection: Int, sequence: Int, filler: String) -> WAMPMessage {
        .publish(.init(
            request: WAMPID(sequence + 1), topic: "com.example.soak",
            payload: .arguments([.integer(Int64(connection)), .integer(Int64(sequence)), .string(filler)], [:])))
    }

    /// Keeps `window` messages in flight until `deadline`, then waits for the last echoes.
    static func exchange(
        _ client: RawSocketConnection, connection: Int, window: Int, filler: String, until deadline: ContinuousClock.Instant,
        echoes: ProgressCounter
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
                echoes.add()
                if ContinuousClock.now < deadline {
                    try await client.send(message(connection: connection, sequence: tally.sent, filler: filler))
                    tally.sent += 1
                }
            }
        } catch {
            tally.failure = "connection \(connection): \(ToolFailure.text(error))"
        }
        return tally
    }
}
