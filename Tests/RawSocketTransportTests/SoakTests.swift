import Foundation
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

/// A short soak on loopback: many concurrent connections to one server, both serializers,
/// every message counted on both sides. The long run with the server's memory measured is
/// `wamp soak` (see the README). `WAMP_SOAK_CONNECTIONS`, `WAMP_SOAK_SECONDS` and
/// `WAMP_SOAK_PAUSE_MS` (the pause after each echo, 20 ms by default so that the default test
/// run does not take all the CPU; 0 for full speed) scale this one.
@Suite("Soak", .scaledTimeLimit(minutes: 5))
struct SoakTests {
    static let connections = ProcessInfo.processInfo.environment["WAMP_SOAK_CONNECTIONS"].flatMap(Int.init) ?? 100
    static let seconds = ProcessInfo.processInfo.environment["WAMP_SOAK_SECONDS"].flatMap(Double.init) ?? 2
    static let pause = ProcessInfo.processInfo.environment["WAMP_SOAK_PAUSE_MS"].flatMap(Int.init) ?? 20

    /// What the server's handler of one connection saw.
    struct ServerTally: Sendable {
        var connection = -1
        var received = 0
        var unexpected = 0
    }

    @Test("concurrent connections with both serializers: no message lost, doubled or reordered; every handler returns after the close")
    func concurrentConnectionsLoseNothing() async throws {
        try await HeavyTestGate.shared.run { try await self.soak() }
    }

    private func soak() async throws {
        let (serverTallies, serverTally) = AsyncStream<ServerTally>.makeStream()
        let handlersRunning = Atomic<Int>(0)
        try await withHostileGroupServer(handler: { connection in
            handlersRunning.add(1, ordering: .relaxed)
            defer { handlersRunning.add(-1, ordering: .relaxed) }
            var tally = ServerTally()
            for try await message in connection.inbound {
                // Each message must be the next of its connection: [connection, sequence, filler].
                if case .publish(let publish) = message, publish.payload.args.count == 3,
                   case .integer(let client) = publish.payload.args[0], case .integer(let sequence) = publish.payload.args[1] {
                    if tally.connection < 0 { tally.connection = Int(client) }
                    if Int(client) != tally.connection || Int(sequence) != tally.received { tally.unexpected += 1 }
                } else {
                    tally.unexpected += 1
                }
                tally.received += 1
                try await connection.send(message)
            }
            serverTally.yield(tally)
        }) { server, endpoint in
            try await withTimeout(Self.seconds + 120, "soak") {
                var clients: [RawSocketConnection] = []
                for index in 0 ..< Self.connections {
                    clients.append(try await connectClient(
                        to: endpoint, serializer: index.isMultiple(of: 2) ? jsonSerializer : msgPackSerializer))
                }
                #expect(server.connectionCount == Self.connections)
                let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(Self.seconds * 1000)))
                let tallies = try await withThrowingTaskGroup(of: (Int, ClientTally).self) { group in
                    for (index, client) in clients.enumerated() {
                        group.addTask { (index, try await Self.exchange(client, connection: index, until: deadline)) }
                    }
                    var all = [ClientTally](repeating: ClientTally(), count: Self.connections)
                    for try await (index, tally) in group { all[index] = tally }
                    return all
                }
                for client in clients { try await client.close() }
                try await waitUntil(10, "the server to close every connection") {
                    server.connectionCount == 0 && handlersRunning.load(ordering: .relaxed) == 0
                }
                let sent = tallies.reduce(0) { $0 + $1.sent }
                #expect(sent > 0)
                #expect(tallies.allSatisfy { $0.sent == $0.received }, "no echo lost")
                #expect(tallies.allSatisfy { $0.unexpected == 0 }, "each echo is the next message sent")
                // The server's side: one tally per connection, each complete and in order.
                var serverReceived = 0
                var seen: Set<Int> = []
                var iterator = serverTallies.makeAsyncIterator()
                for _ in 0 ..< Self.connections {
                    let tally = try #require(await iterator.next())
                    #expect(tally.unexpected == 0)
                    #expect(tally.received == tallies[tally.connection].sent)
                    seen.insert(tally.connection)
                    serverReceived += tally.received
                }
                #expect(seen.count == Self.connections)
                #expect(serverReceived == sent, "the server received every message once")
            }
        }
    }

    /// What a client connection counted.
    struct ClientTally: Sendable {
        var sent = 0
        var received = 0
        var unexpected = 0
    }

    /// Keeps 4 messages in flight until `deadline`, checking that each echo is the next one sent.
    static func exchange(
        _ client: RawSocketConnection, connection: Int, until deadline: ContinuousClock.Instant
    ) async throws -> ClientTally {
        func message(_ sequence: Int) -> WAMPMessage {
            .publish(.init(
                request: WAMPID(sequence + 1), topic: "com.example.soak",
                payload: .arguments([.integer(Int64(connection)), .integer(Int64(sequence)), "0123456789abcdef"], [:])))
        }
        var sent = 0
        var received = 0
        var unexpected = 0
        var inbound = client.inbound.makeAsyncIterator()
        while sent < 4 {
            try await client.send(message(sent))
            sent += 1
        }
        while received < sent {
            guard let echo = try await inbound.next() else { break }
            if echo != message(received) { unexpected += 1 }
            received += 1
            if ContinuousClock.now < deadline {
                if pause > 0 { try await Task.sleep(for: .milliseconds(pause)) }
                try await client.send(message(sent))
                sent += 1
            }
        }
        return ClientTally(sent: sent, received: received, unexpected: unexpected)
    }
}
