import Logging
import NIOCore
import NIOPosix
import RawSocketTransport
import Synchronization
import Testing
import Transport

// Helpers for the bad-input, fault and load tests: raw peers that can half-close, reset and
// stop reading, and a server that reports how each connection's handler ended.

// MARK: - Event loops of their own

/// The event loops of the bad-input, fault and load tests: floods and tens of MiB go through
/// them, not through the shared singleton that the timing-sensitive keepalive tests use.
let hostileGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)

/// ``RawSocketClient/connect(to:serializers:configuration:eventLoopGroup:logger:)``
/// on ``hostileGroup``.
func connectClient(
    to endpoint: RawSocketEndpoint, serializer: any WAMPSerializer, configuration: RawSocketConfiguration = guardedConfiguration
) async throws -> RawSocketConnection {
    try await RawSocketClient.connect(to: endpoint, serializers: [serializer], configuration: configuration, eventLoopGroup: hostileGroup)
}

/// ``withServer(endpoint:serializers:configuration:maxConnections:logger:eventLoopGroup:handler:_:)``
/// on ``hostileGroup``, TCP on 127.0.0.1, JSON and MessagePack.
@discardableResult
func withHostileGroupServer<R: Sendable>(
    configuration: RawSocketConfiguration = guardedConfiguration,
    handler: @escaping @Sendable (RawSocketConnection) async throws -> Void,
    _ body: (RawSocketServer, RawSocketEndpoint) async throws -> R
) async throws -> R {
    let server = try await RawSocketServer.bind(
        to: .tcp(host: "127.0.0.1", port: 0), serializers: [jsonSerializer, msgPackSerializer],
        configuration: configuration, eventLoopGroup: hostileGroup)
    let runner = Task { try await server.run(handler) }
    let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: server.port!)
    do {
        let result = try await body(server, endpoint)
        try await withTimeout(10, "server shutdown") {
            await server.shutdown()
            try await runner.value
        }
        return result
    } catch {
        await server.shutdown()
        runner.cancel()
        throw error
    }
}

// MARK: - Raw peers with control over the socket

/// A raw TCP connection (either side) for playing a misbehaving peer: read and write bytes
/// through ``stream``, and end the connection in the ways a real peer can.
struct RawPeer: Sendable {
    let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.outbound = outbound
    }

    /// Writes bytes (usable from any task, unlike ``RawStream``).
    func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Closes the write side only (a TCP FIN); reading goes on.
    func finishWriting() {
        outbound.finish()
    }

    /// Aborts the connection with a TCP reset (SO_LINGER 0, then close).
    func reset() async {
        // NIO's socket channels provide SO_LINGER through SocketOptionProvider.
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    /// Stops or resumes reading from the socket: when stopped, the kernel buffers fill and
    /// the sender's TCP window closes.
    func setReading(_ reading: Bool) async throws {
        try await channel.setOption(.autoRead, value: reading).get()
        if reading { channel.read() }
    }

    /// Shrinks the socket's receive buffer (this also turns off Linux's autotuning, which
    /// lets a loopback receive buffer grow to tens of MiB).
    func setReceiveBufferSize(_ size: Int32) async throws {
        try await channel.setOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(size)).get()
    }
}

/// The async-channel configuration of raw peers: half-closure allowed both ways.
private let rawPeerConfiguration = NIOAsyncChannel<ByteBuffer, ByteBuffer>.Configuration(
    isOutboundHalfClosureEnabled: true)

/// Connects a raw TCP client to 127.0.0.1:`port` and runs `body` with its byte stream and
/// socket controls; closes afterwards.
@discardableResult
func withRawPeer<R: Sendable>(
    port: Int, _ body: (RawStream, RawPeer) async throws -> R
) async throws -> R {
    let channel = try await ClientBootstrap(group: hostileGroup)
        .channelOption(.allowRemoteHalfClosure, value: true)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                    wrappingChannelSynchronously: channel, configuration: rawPeerConfiguration)
            }
        }
    let raw = channel.channel
    return try await channel.executeThenClose { inbound, outbound in
        try await body(RawStream(inbound, outbound), RawPeer(channel: raw, outbound: outbound))
    }
}

/// A fake RawSocket server for the client tests: runs `script` for each accepted connection
/// with its byte stream and socket controls. Scripts are cancelled at the end of `body`.
@discardableResult
func withScriptedServer<R: Sendable>(
    _ script: @escaping @Sendable (RawStream, RawPeer) async throws -> Void,
    _ body: (RawSocketEndpoint) async throws -> R
) async throws -> R {
    let accepted = AcceptedConnections()
    let server = try await ServerBootstrap(group: hostileGroup)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.allowRemoteHalfClosure, value: true)
        .bind(host: "127.0.0.1", port: 0) { child in
            child.eventLoop.makeCompletedFuture { try accepted.wrap(child, configuration: rawPeerConfiguration) }
        }
    let listener = server.channel
    // Closing the listener ends the accepting and cancels the scripts (see acceptConnections).
    _ = Task<Void, Never> {
        await acceptConnections(of: server, accepted: accepted) { child in
            let raw = child.channel
            try? await child.executeThenClose { i, o in
                try await script(RawStream(i, o), RawPeer(channel: raw, outbound: o))
            }
        }
    }
    let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: listener.localAddress!.port!)
    do {
        let result = try await body(endpoint)
        try? await listener.close()
        return result
    } catch {
        try? await listener.close()
        throw error
    }
}

// MARK: - A server that reports how each handler ended

/// How a server-side connection handler's inbound sequence ended.
enum HandlerOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The sequence ended without an error (the peer closed at a frame boundary).
    case ended
    /// It threw a ``RawSocketError`` with this code.
    case failed(RawSocketError.Code)
    /// It threw another error (described).
    case failedOther(String)

    var description: String {
        switch self {
        case .ended: return "ended"
        case .failed(let code): return "failed(\(code))"
        case .failedOther(let text): return "failedOther(\(text))"
        }
    }
}

/// A running echo server, a well-behaved client already connected to it (the bystander),
/// and the outcomes of the handlers of the other connections.
struct HostileServerContext: Sendable {
    let server: RawSocketServer
    let endpoint: RawSocketEndpoint
    let bystander: RawSocketConnection
    /// What the bystander receives (a task reads its inbound sequence into this stream).
    let bystanderInbound: AsyncStream<WAMPMessage>
    let outcomes: AsyncStream<HandlerOutcome>

    var port: Int { server.port! }

    /// The next handler outcome of a connection other than the bystander.
    func nextOutcome() async -> HandlerOutcome? {
        var iterator = outcomes.makeAsyncIterator()
        return await iterator.next()
    }

    /// Checks that the server still serves: the bystander's message is echoed, and a new
    /// client connects, gets its message echoed and closes.
    func expectStillServing(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let message = WAMPMessage.call(.init(request: 4242, procedure: "com.example.still_serving", payload: .arguments([1], [:])))
        var inbound = bystanderInbound.makeAsyncIterator()
        try await bystander.send(message)
        #expect(await inbound.next() == message, "the bystander connection is served", sourceLocation: sourceLocation)
        let fresh = try await connectClient(to: endpoint, serializer: msgPackSerializer)
        var freshInbound = fresh.inbound.makeAsyncIterator()
        try await fresh.send(message)
        #expect(try await freshInbound.next() == message, "a new connection is served", sourceLocation: sourceLocation)
        try await fresh.close()
    }

    /// Waits until only the bystander is open (the bad connection is gone from the server).
    func waitUntilOnlyBystanderIsOpen() async throws {
        try await waitUntil(5, "the server to drop the bad connection") { server.connectionCount == 1 }
    }
}

/// Binds an echo server (JSON and MessagePack) whose handlers report how they ended, opens
/// a bystander client, runs `body`, then closes everything. Outcomes of the bystander's own
/// handler are not reported.
func withHostileServer<R: Sendable>(
    configuration: RawSocketConfiguration = guardedConfiguration,
    _ body: @escaping @Sendable (HostileServerContext) async throws -> R
) async throws -> R {
    let (outcomes, outcome) = AsyncStream<HandlerOutcome>.makeStream()
    // The first handler to start is the bystander's: its echo comes back before any other
    // connection is opened.
    let bystanderClaimed = Atomic<Bool>(false)
    return try await withHostileGroupServer(configuration: configuration, handler: { connection in
        let isBystander = bystanderClaimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
        let result: HandlerOutcome
        do {
            for try await message in connection.inbound {
                try await connection.send(message)
            }
            result = .ended
        } catch let error as RawSocketError {
            result = .failed(error.code)
        } catch {
            result = .failedOther("\(error)")
        }
        if !isBystander { outcome.yield(result) }
    }) { server, endpoint in
        try await withTimeout(30, "hostile server test") {
            let bystander = try await connectClient(to: endpoint, serializer: jsonSerializer)
            let (bystanderInbound, received) = AsyncStream<WAMPMessage>.makeStream()
            let reader = Task {
                defer { received.finish() }
                for try await message in bystander.inbound { received.yield(message) }
            }
            defer { reader.cancel() }
            var echoes = bystanderInbound.makeAsyncIterator()
            try await bystander.send(sampleMessages[2])
            #expect(await echoes.next() == sampleMessages[2])
            let context = HostileServerContext(
                server: server, endpoint: endpoint, bystander: bystander, bystanderInbound: bystanderInbound,
                outcomes: outcomes)
            try await waitUntil(5, "the bystander to be registered") { server.connectionCount == 1 }
            do {
                let result = try await body(context)
                try await bystander.close()
                return result
            } catch {
                try? await bystander.close()
                throw error
            }
        }
    }
}

// MARK: - Frames

/// A frame header as octets, built by hand (so that reserved bits and types can be set).
func rawHeader(first: UInt8, length: Int) -> [UInt8] {
    [first, UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
}

/// The handshake request for JSON with the largest limit.
let jsonRequest: [UInt8] = [0x7F, 0xF1, 0x00, 0x00]
/// The handshake request for MessagePack with the largest limit.
let msgPackRequest: [UInt8] = [0x7F, 0xF2, 0x00, 0x00]

/// A counter shared between tasks.
final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)

    func increment() { atomic.add(1, ordering: .relaxed) }

    var value: Int { atomic.load(ordering: .relaxed) }
}

/// Expects `body` to throw the error of a send on a closed connection: NIO's
/// `ChannelError.ioOnClosedChannel` (what `send` throws today) or a ``RawSocketError`` with
/// code ``RawSocketError/Code/connectionClosed``.
func expectClosedConnectionError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected an error for a closed connection", sourceLocation: sourceLocation)
    } catch let error as RawSocketError {
        #expect(error.code == .connectionClosed, "\(error)", sourceLocation: sourceLocation)
    } catch let error as ChannelError {
        #expect(error == .ioOnClosedChannel, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

// MARK: - One heavy test at a time

/// Lets one heavy test (tens of MiB, or hundreds of connections) run at a time in this test
/// process, so that together they do not starve the timing-sensitive tests (keepalive every
/// 30 ms) of a shared machine's CPU.
actor HeavyTestGate {
    static let shared = HeavyTestGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` when no other heavy test runs.
    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async rethrows -> R {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
