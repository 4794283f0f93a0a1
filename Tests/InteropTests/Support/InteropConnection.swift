import CBORSerializer
import JSONSerializer
import MsgPackSerializer
import NIOCore
import RawSocketTransport
import Synchronization
import Testing
import Transport

/// The serializers the interop tests run with.
enum InteropSerializer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case json
    case msgpack
    case cbor

    var serializer: any WAMPSerializer {
        switch self {
        case .json: return WAMPJSONSerializer()
        case .msgpack: return WAMPMsgPackSerializer()
        case .cbor: return WAMPCBORSerializer()
        }
    }

    /// Every plugin, for our servers: they accept all three.
    static var allSerializers: [any WAMPSerializer] { allCases.map(\.serializer) }

    /// The name Autobahn|Python's scripts take.
    var name: String { rawValue }
    var testDescription: String { rawValue }
}

/// A RawSocket connection with a timeout on every receive and send: the typed messages are
/// read through one iterator (a connection's inbound sequence can be iterated only once).
final class InteropConnection: @unchecked Sendable {
    let connection: RawSocketConnection
    private var iterator: WAMPMessageSequence.AsyncIterator
    /// Whether a receive is in progress (a timed-out one may still be).
    private let receiving = Mutex(false)

    init(_ connection: RawSocketConnection) {
        self.connection = connection
        self.iterator = connection.inbound.makeAsyncIterator()
    }

    /// Connects with a timeout.
    static func connect(
        to endpoint: RawSocketEndpoint, _ serializer: InteropSerializer,
        configuration: RawSocketConfiguration = interopRawSocketConfiguration
    ) async throws -> InteropConnection {
        let connection = try await withTimeout(InteropTimeouts.message, "connecting to \(endpoint) with \(serializer)") {
            try await RawSocketClient.connect(to: endpoint, serializers: [serializer.serializer], configuration: configuration)
        }
        return InteropConnection(connection)
    }

    var maxSendLength: Int { connection.maxSendLength }
    var serialization: WAMPSerializerID { connection.serializer.id }

    /// Sends a message; waits at most `timeout` seconds.
    func send(_ message: WAMPMessage, timeout: Double = InteropTimeouts.message) async throws {
        let connection = self.connection
        try await withTimeout(timeout, "sending \(message.type)") { try await connection.send(message) }
    }

    /// The next message; fails when none arrives within `timeout` seconds or the connection ends.
    func receive(_ what: String, timeout: Double = InteropTimeouts.message) async throws -> WAMPMessage {
        let busy = receiving.withLock { busy in
            defer { busy = true }
            return busy
        }
        guard !busy else { throw PeerFailure("a previous receive is still pending (it timed out)") }
        let message = try await withTimeout(timeout, "waiting for \(what)") {
            defer { self.receiving.withLock { $0 = false } }
            return try await self.iterator.next()
        }
        guard let message else { throw PeerFailure("the connection closed while waiting for \(what)") }
        return message
    }

    /// Whether the peer closes the connection within `timeout` seconds (messages still
    /// arriving are skipped).
    func receiveEnd(timeout: Double = InteropTimeouts.message) async throws {
        while true {
            let busy = receiving.withLock { busy in
                defer { busy = true }
                return busy
            }
            guard !busy else { throw PeerFailure("a previous receive is still pending (it timed out)") }
            let message = try await withTimeout(timeout, "the peer to close the connection") {
                defer { self.receiving.withLock { $0 = false } }
                return try await self.iterator.next()
            }
            if message == nil { return }
        }
    }

    /// Closes the connection (bounded in time).
    func close() async {
        let connection = self.connection
        _ = try? await withTimeout(InteropTimeouts.message, "closing the connection") { try await connection.close() }
    }
}

/// Runs `body` with a connection, closing it afterwards, also when `body` throws.
func withInteropConnection<T: Sendable>(
    to endpoint: RawSocketEndpoint, _ serializer: InteropSerializer, configuration: RawSocketConfiguration = interopRawSocketConfiguration,
    _ body: (InteropConnection) async throws -> T
) async throws -> T {
    let connection = try await InteropConnection.connect(to: endpoint, serializer, configuration: configuration)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

/// Deterministic pseudo-random bytes.
func testBytes(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var bytes = [UInt8]()
    bytes.reserveCapacity(count)
    while bytes.count < count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var word = state
        for _ in 0 ..< 8 where bytes.count < count {
            bytes.append(UInt8(truncatingIfNeeded: word >> 56))
            word <<= 8
        }
    }
    return bytes
}

/// The serialized length of a message.
func serializedLength(_ message: WAMPMessage, _ serializer: InteropSerializer) throws -> Int {
    let buffer: ByteBuffer = try serializer.serializer.serialize(message, allocator: ByteBufferAllocator())
    return buffer.readableBytes
}

/// A CALL whose serialized form is exactly `length` octets: one string argument padded to fit.
func call(request: WAMPID, procedure: String, serializedLength length: Int, _ serializer: InteropSerializer) throws
    -> WAMPMessage
{
    func make(_ n: Int) -> WAMPMessage {
        .call(.init(request: request, procedure: procedure, payload: .arguments([.string(String(repeating: "a", count: n))], [:])))
    }
    // The string header's size depends on the length class (msgpack str8/16/32), so measure
    // near the target and correct.
    var n = max(0, length - 64)
    for _ in 0 ..< 4 {
        let actual = try serializedLength(make(n), serializer)
        if actual == length { return make(n) }
        n += length - actual
    }
    throw PeerFailure("could not build a \(serializer) CALL of exactly \(length) octets")
}
