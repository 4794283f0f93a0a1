import Foundation
import Logging
import JSONSerializer
import MsgPackSerializer
import NIOCore
import NIOPosix
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

// MARK: - Time bounds

/// An operation did not finish within its time bound.
struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var description: String { "\(what) did not finish within \(seconds) s" }
}

/// Resumes a continuation once; later results are dropped.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(with result: Result<T, any Error>) {
        let continuation = self.continuation.withLock { c in
            defer { c = nil }
            return c
        }
        continuation?.resume(with: result)
    }
}

/// Runs `body`, failing with ``TimeoutError`` when it takes longer than the time guard for
/// `seconds` (``TimeGuard/seconds(_:)``: at least 30 s, times `WAMP_TEST_TIME_SCALE`).
///
/// The losing side is not awaited (a NIO future cannot be cancelled), so a hung operation
/// fails the test instead of hanging the suite.
@discardableResult
func withTimeout<T: Sendable>(
    _ seconds: Double = TimeGuard.minimumSeconds, _ what: String = "operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let seconds = TimeGuard.seconds(seconds)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let once = ResumeOnce(continuation)
        let work = Task {
            do {
                once.resume(with: .success(try await body()))
            } catch {
                once.resume(with: .failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            once.resume(with: .failure(TimeoutError(what: what, seconds: seconds)))
            work.cancel()
        }
    }
}

/// Polls `condition` every few milliseconds until it holds, failing after the time guard for
/// `seconds` (see ``withTimeout(_:_:_:)``).
func waitUntil(
    _ seconds: Double = TimeGuard.minimumSeconds, _ what: String, _ condition: @escaping @Sendable () async -> Bool
) async throws {
    try await withTimeout(seconds, what) {
        while await !condition() {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

// MARK: - Error expectations

/// Expects `body` to throw a ``RawSocketError`` with `code`; returns it.
@discardableResult
func expectError<R>(
    _ code: RawSocketError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
) -> RawSocketError? {
    do {
        let result = try body()
        Issue.record("expected RawSocketError \(code), got \(result)", sourceLocation: sourceLocation)
        return nil
    } catch let error as RawSocketError {
        #expect(error.code == code, "expected \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected RawSocketError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects the async `body` to throw a ``RawSocketError`` with `code`; returns it.
@discardableResult
func expectErrorAsync<R>(
    _ code: RawSocketError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> R
) async -> RawSocketError? {
    do {
        let result = try await body()
        Issue.record("expected RawSocketError \(code), got \(result)", sourceLocation: sourceLocation)
        return nil
    } catch let error as RawSocketError {
        #expect(error.code == code, "expected \(code), got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected RawSocketError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

// MARK: - Bytes

/// The four big-endian octets of a word.
func octets(_ word: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
     UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
}

/// A complete frame: header then payload.
func frameBytes(_ type: RawSocketFrameType, _ payload: [UInt8]) -> [UInt8] {
    octets(RawSocketFrameHeader(type: type, length: payload.count).encoded) + payload
}

/// The readable bytes of a buffer.
func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

/// A payload of `count` octets with a pattern that shows shifted or lost bytes.
func patternedPayload(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0 ..< count).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ $0 >> 8 &+ seed) % 251) }
}

/// `count` octets of the cycle 0, 1, ..., 250, 0, 1, ... (251 is prime: a lost, doubled or
/// shifted octet anywhere breaks the cycle).
func cyclicPattern(_ count: Int) -> ByteBuffer {
    let block = (0 ..< 251).map { UInt8($0) }
    var buffer = ByteBufferAllocator().buffer(capacity: count)
    var remaining = count
    while remaining > 0 {
        let n = min(remaining, block.count)
        buffer.writeBytes(block[..<n])
        remaining -= n
    }
    return buffer
}

/// Whether `buffer` holds the cycle of ``cyclicPattern(_:)`` from its start (compared with
/// memcmp: a byte-by-byte scan is very slow over 16 MiB in a debug build).
func isCyclicPattern(_ buffer: ByteBuffer) -> Bool {
    buffer == cyclicPattern(buffer.readableBytes)
}

// MARK: - Serializers and endpoints

let jsonSerializer = WAMPJSONSerializer()
let msgPackSerializer = WAMPMsgPackSerializer()

/// The serializer plugin for a name used as a test argument.
func serializer(named name: String) -> any WAMPSerializer {
    name == "msgpack" ? msgPackSerializer : jsonSerializer
}

/// A fresh temporary directory (short path: Unix socket paths are limited to ~100 octets).
func makeTemporaryDirectory() throws -> URL {
    let url = URL(fileURLWithPath: "/tmp/rs-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Some typed messages exercising lists, dicts, integers, floats, booleans, binary and URIs.
let sampleMessages: [WAMPMessage] = [
    .hello(.init(realm: "realm1", details: ["roles": ["caller": [:], "subscriber": [:]], "agent": "tests"])),
    .publish(.init(request: 1, options: ["acknowledge": true], topic: "com.example.topic",
                   payload: .arguments([1, -2, 3.5, "four", nil, true, .binary([0, 1, 2, 255])], ["k": ["x": 1]]))),
    .call(.init(request: 2, procedure: "com.example.add", payload: .arguments([2, 3], [:]))),
    .event(.init(subscription: 7, publication: 1 << 53, payload: .arguments(["é ✓ \u{1F600}"], [:]))),
    .goodbye(.init(details: [:], reason: "wamp.close.normal")),
]

// MARK: - Servers

/// Event loops of their own for the keepalive tests: server handlers run on their connection's
/// event loop, so a test pushing 16 MiB through the shared loops (a debug build takes seconds)
/// would hold back the PONGs of a test that counts them.
let keepaliveGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)

/// The configuration of the tests' servers and clients that choose none: the library's
/// defaults, with the handshake timeout (10 s) as a time guard instead (``TimeGuard``).
let guardedConfiguration = RawSocketConfiguration { $0.handshakeTimeout = .nanoseconds(TimeGuard.nanoseconds(10)) }

/// Binds a RawSocket server that echoes every typed message, runs `body` with it and the
/// endpoint a client connects to, then shuts it down.
@discardableResult
func withEchoServer<R: Sendable>(
    endpoint: RawSocketEndpoint = .tcp(host: "127.0.0.1", port: 0),
    serializers: [any WAMPSerializer] = [jsonSerializer, msgPackSerializer],
    configuration: RawSocketConfiguration = guardedConfiguration,
    maxConnections: Int? = nil,
    logger: Logger? = nil,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    _ body: (RawSocketServer, RawSocketEndpoint) async throws -> R
) async throws -> R {
    try await withServer(
        endpoint: endpoint, serializers: serializers, configuration: configuration, maxConnections: maxConnections,
        logger: logger, eventLoopGroup: eventLoopGroup,
        handler: { connection in
            for try await message in connection.inbound {
                try await connection.send(message)
            }
        }, body)
}

/// Binds a RawSocket server running `handler` for each connection, runs `body`, shuts down.
@discardableResult
func withServer<R: Sendable>(
    endpoint: RawSocketEndpoint = .tcp(host: "127.0.0.1", port: 0),
    serializers: [any WAMPSerializer] = [jsonSerializer, msgPackSerializer],
    configuration: RawSocketConfiguration = guardedConfiguration,
    maxConnections: Int? = nil,
    logger: Logger? = nil,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    handler: @escaping @Sendable (RawSocketConnection) async throws -> Void,
    _ body: (RawSocketServer, RawSocketEndpoint) async throws -> R
) async throws -> R {
    let server = try await RawSocketServer.bind(
        to: endpoint, serializers: serializers, configuration: configuration, maxConnections: maxConnections,
        eventLoopGroup: eventLoopGroup,
        logger: logger ?? Logger(label: "test.server", factory: { _ in SwiftLogNoOpLogHandler() }))
    let runner = Task { try await server.run(handler) }
    let clientEndpoint: RawSocketEndpoint
    switch endpoint.address {
    case .tcp(let host, _): clientEndpoint = RawSocketEndpoint(.tcp(host: host, port: server.port!), usesTLS: endpoint.usesTLS)
    case .unix: clientEndpoint = endpoint
    }
    do {
        let result = try await body(server, clientEndpoint)
        try await stop(server, runner)
        return result
    } catch {
        try? await stop(server, runner)
        throw error
    }
}

private func stop(_ server: RawSocketServer, _ runner: Task<Void, any Error>) async throws {
    try await withTimeout(5, "server shutdown") {
        await server.shutdown()
        try await runner.value
    }
}

// MARK: - Raw peers

/// One end of a raw TCP connection, for playing a misbehaving or minimal RawSocket peer.
/// Use it from one task.
final class RawStream {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending = ByteBuffer()

    init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.iterator = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Reads exactly `count` octets; `nil` when the peer closed first.
    func read(_ count: Int) async throws -> [UInt8]? {
        while pending.readableBytes < count {
            guard var next = try await nextChunk() else { return nil }
            pending.writeBuffer(&next)
        }
        return pending.readBytes(length: count)
    }

    /// Reads one frame; `nil` when the peer closed first.
    func readFrame() async throws -> (type: UInt8, payload: [UInt8])? {
        guard let header = try await read(4) else { return nil }
        let length = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let payload = try await read(length) else { return nil }
        return (header[0], payload)
    }

    /// Reads until the peer closes (a reset counts as closing); returns what arrived.
    func readToEnd() async -> [UInt8] {
        var all = bytes(pending)
        pending.clear()
        while true {
            do {
                guard let next = try await nextChunk() else { return all }
                all += bytes(next)
            } catch {
                return all
            }
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    private func nextChunk() async throws -> ByteBuffer? {
        var iterator = self.iterator
        defer { self.iterator = iterator }
        return try await iterator.next()
    }
}

/// A raw TCP server on 127.0.0.1 that runs `handler` for each accepted connection.
final class RawServer: Sendable {
    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    static func start(_ handler: @escaping @Sendable (RawStream) async throws -> Void) async throws -> RawServer {
        let accepted = AcceptedConnections()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture { try accepted.wrap(child) }
            }
        let channel = server.channel
        // Closing the channel ends the accepting and cancels the handlers (see acceptConnections).
        _ = Task<Void, Never> {
            await acceptConnections(of: server, accepted: accepted) { child in
                try? await child.executeThenClose { i, o in try await handler(RawStream(i, o)) }
            }
        }
        return RawServer(port: channel.localAddress!.port!, channel: channel)
    }

    var endpoint: RawSocketEndpoint { .tcp(host: "127.0.0.1", port: port) }

    /// Stops accepting; connection handlers are cancelled (see ``acceptConnections(of:accepted:_:)``),
    /// not awaited.
    func shutdown() async {
        try? await channel.close()
    }
}

/// The connections a raw test server accepted and wrapped, held until its accept loop takes
/// them.
///
/// NIO hands a server's accepted connections over through the server's inbound stream; one that
/// arrives as the server closes is dropped there, and a dropped `NIOAsyncChannel` whose writer
/// was never finished traps ("Deinited NIOAsyncWriter without calling finish()"): a client that
/// connected just as a test ended took the whole test process down. Held here too, such a
/// connection is not the stream's alone; ``acceptConnections(of:accepted:_:)`` closes what the
/// loop never took, and once the server is closed no connection is wrapped any more.
final class AcceptedConnections: Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    struct ServerClosed: Error {}

    private let state = Mutex<(held: [ObjectIdentifier: Connection], closed: Bool)>(([:], false))

    /// Wraps `child` for the server (on its event loop); throws once the server closed, and
    /// NIO then closes `child` itself.
    func wrap(_ child: any Channel, configuration: Connection.Configuration = .init()) throws -> Connection {
        try state.withLock { state in
            guard !state.closed else { throw ServerClosed() }
            let connection = try Connection(wrappingChannelSynchronously: child, configuration: configuration)
            state.held[ObjectIdentifier(child)] = connection
            return connection
        }
    }

    /// The accept loop took `connection`.
    func taken(_ connection: Connection) {
        _ = state.withLock { $0.held.removeValue(forKey: ObjectIdentifier(connection.channel)) }
    }

    /// No connection is wrapped any more; returns those never taken.
    func close() -> [Connection] {
        state.withLock { state in
            state.closed = true
            defer { state.held = [:] }
            return Array(state.held.values)
        }
    }
}

/// Runs `handler` for each connection `server` accepts, in a child task, until the server's
/// channel is closed; then cancels the handlers and closes the connections `accepted` holds
/// that never reached the loop.
///
/// Closing the channel, not cancelling the task that iterates, ends the accepting: the inbound
/// stream then still hands over the connections it holds (a cancelled iteration drops them).
func acceptConnections(
    of server: NIOAsyncChannel<AcceptedConnections.Connection, Never>, accepted: AcceptedConnections,
    _ handler: @escaping @Sendable (AcceptedConnections.Connection) async -> Void
) async {
    _ = try? await server.executeThenClose { inbound in
        try await withThrowingDiscardingTaskGroup { group in
            for try await child in inbound {
                accepted.taken(child)
                group.addTask { await handler(child) }
            }
            group.cancelAll()
        }
    }
    for leftover in accepted.close() {
        try? await leftover.executeThenClose { _, _ in }
    }
}

/// Starts a ``RawServer``, runs `body` with it, and shuts it down however `body` ends.
@discardableResult
func withRawServer<R: Sendable>(
    _ handler: @escaping @Sendable (RawStream) async throws -> Void, _ body: (RawServer) async throws -> R
) async throws -> R {
    let server = try await RawServer.start(handler)
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Connects a raw TCP client to 127.0.0.1:`port` and runs `body` with it; closes afterwards.
@discardableResult
func withRawClient<R: Sendable>(port: Int, _ body: (RawStream) async throws -> R) async throws -> R {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await body(RawStream(inbound, outbound))
    }
}
