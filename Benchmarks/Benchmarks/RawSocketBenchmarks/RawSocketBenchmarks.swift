import Benchmark
import CBORSerializer
import JSONSerializer
import MsgPackSerializer
import NIOCore
import NIOPosix
@_spi(SansIO) import RawSocketTransport
import Transport

// The RawSocket transport, from the 4-octet words up to a TCP connection:
//
// - frame header and handshake words, encoded and parsed (1,000,000 per iteration);
// - frames written into a reused buffer, and split again by `RawSocketFrameDecoder` (through
//   `NIOSingleStepByteToMessageProcessor`) and by the whole `RawSocketProtocolCore`
//   (1,000 frames per iteration, each carrying the small EVENT serialized as JSON);
// - a loopback echo: a `RawSocketServer` on 127.0.0.1 sends back every message it receives,
//   and one client keeps 64 small EVENTs in flight (1,000 echoed messages per iteration).
//
// Every figure is per operation (`scalingFactor`).

/// The small EVENT of the serializer benchmarks: `[36, 1, 2, {}, ["hello", 42, 3.14], {"k": "v"}]`.
let smallEvent = try! WAMPMessage(elements: [36, 1, 2, [:], ["hello", 42, 3.14], ["k": "v"]])

/// The payload carried by the frames of the frame benchmarks.
let framePayload: ByteBuffer = {
    var buffer = ByteBuffer()
    try! WAMPJSONSerializer().serialize(smallEvent, into: &buffer)
    return buffer
}()

/// `count` MESSAGE frames carrying ``framePayload``, back to back.
func frames(count: Int) -> ByteBuffer {
    var buffer = ByteBuffer()
    for _ in 0 ..< count {
        RawSocketFrameHeader(type: .message, length: framePayload.readableBytes).write(to: &buffer)
        buffer.writeImmutableBuffer(framePayload)
    }
    return buffer
}

let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]

/// Exact counts in the tables, not "1 K".
var exactUnits: [BenchmarkMetric: BenchmarkUnits] { [.mallocCountTotal: .count] }

// MARK: - Loopback echo

/// A server echoing every message on 127.0.0.1, and one client connected to it with
/// ``window`` messages in flight.
final class EchoLoop: @unchecked Sendable {
    /// The messages kept in flight.
    static let window = 64

    let server: RawSocketServer
    let serverTask: Task<Void, any Error>
    let connection: RawSocketConnection
    var replies: WAMPMessageSequence.AsyncIterator
    let message: WAMPMessage

    private init(
        server: RawSocketServer, serverTask: Task<Void, any Error>, connection: RawSocketConnection,
        message: WAMPMessage
    ) {
        self.server = server
        self.serverTask = serverTask
        self.connection = connection
        self.replies = connection.inbound.makeAsyncIterator()
        self.message = message
    }

    /// Starts the server, connects the client and puts ``window`` messages in flight.
    static func start(serializer: any WAMPSerializer, message: WAMPMessage) async throws -> EchoLoop {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [serializer])
        let serverTask = Task {
            try await server.run { connection in
                for try await message in connection.inbound {
                    try await connection.send(message)
                }
            }
        }
        let connection = try await RawSocketClient.connect(
            to: .tcp(host: "127.0.0.1", port: server.port!), serializers: [serializer])
        let loop = EchoLoop(server: server, serverTask: serverTask, connection: connection, message: message)
        for _ in 0 ..< window {
            try await connection.send(message)
        }
        return loop
    }

    /// Receives `count` echoes, sending a new message for each, so that ``window`` stay in flight.
    func echo(count: Int) async throws {
        for _ in 0 ..< count {
            guard let reply = try await replies.next() else {
                throw RawSocketError(.connectionClosed, "the echo server closed the connection")
            }
            blackHole(reply)
            try await connection.send(message)
        }
    }

    /// Receives the messages still in flight, closes the client and stops the server.
    func stop() async throws {
        for _ in 0 ..< Self.window {
            _ = try await replies.next()
        }
        try await connection.close()
        await server.shutdown()
        _ = await serverTask.result
    }
}

/// Holds the echo loop between a benchmark's setup, iterations and teardown.
final class EchoLoopBox: @unchecked Sendable {
    var loop: EchoLoop?
}

/// Registers the loopback echo twice: with the client's loop on the connection's event loop
/// (`withTaskExecutorPreference(connection.executor)`, as the server's handlers run by default)
/// and on Swift's global executor, one thread hop away from the connection's I/O.
func registerEchoBenchmark(_ serializer: any WAMPSerializer, name: String) {
    for onEventLoop in [true, false] {
        let box = EchoLoopBox()
        Benchmark(
            "Loopback echo \(name) EVENT small, window \(EchoLoop.window), client \(onEventLoop ? "on the event loop" : "on the global executor")",
            configuration: .init(
                metrics: metrics + [.cpuTotal], timeUnits: .nanoseconds, units: exactUnits, scalingFactor: .kilo,
                maxDuration: .seconds(5), maxIterations: 10_000)
        ) { benchmark in
            let loop = box.loop!
            if onEventLoop {
                try await withTaskExecutorPreference(loop.connection.executor) {
                    try await loop.echo(count: benchmark.scaledIterations.count)
                }
            } else {
                try await loop.echo(count: benchmark.scaledIterations.count)
            }
        } setup: {
            box.loop = try await EchoLoop.start(serializer: serializer, message: smallEvent)
        } teardown: {
            try await box.loop?.stop()
            box.loop = nil
        }
    }
}

// MARK: - Suite

let benchmarks: @Sendable () -> Void = {
    let wordConfiguration = Benchmark.Configuration(
        metrics: metrics, timeUnits: .nanoseconds, units: exactUnits, scalingFactor: .mega,
        maxDuration: .seconds(2), maxIterations: 1_000)
    let frameConfiguration = Benchmark.Configuration(
        metrics: metrics, timeUnits: .nanoseconds, units: exactUnits, scalingFactor: .kilo,
        maxDuration: .seconds(2), maxIterations: 100_000)

    Benchmark("Frame header encode+parse", configuration: wordConfiguration) { benchmark in
        for i in benchmark.scaledIterations {
            let header = RawSocketFrameHeader(type: .message, length: i & 0xFFFFFF)
            blackHole(try RawSocketFrameHeader(parsing: header.encoded, maxLength: RawSocketHandshake.maximumMaxLength))
        }
    }

    Benchmark("Handshake request+reply encode+parse", configuration: wordConfiguration) { benchmark in
        for i in benchmark.scaledIterations {
            let serializer = UInt8(1 + i & 1)
            let request = RawSocketHandshake.Request(maxLength: 1 << (9 + (i & 15)), serializer: serializer)
            guard case .request(let parsed) = try RawSocketHandshake.Request.parse(request.encoded) else {
                fatalError("the request was refused")
            }
            let reply = RawSocketHandshake.Reply.accepted(maxLength: parsed.maxLength, serializer: parsed.serializer)
            blackHole(try RawSocketHandshake.Reply.parse(reply.encoded, requestedSerializer: serializer))
        }
    }

    Benchmark("Frame write (header+payload, reused buffer)", configuration: frameConfiguration) { benchmark in
        var buffer = ByteBufferAllocator().buffer(capacity: (4 + framePayload.readableBytes) * benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            RawSocketFrameHeader(type: .message, length: framePayload.readableBytes).write(to: &buffer)
            buffer.writeImmutableBuffer(framePayload)
        }
        blackHole(buffer.writerIndex)
    }

    Benchmark("Frame decode (RawSocketFrameDecoder)", configuration: frameConfiguration) { benchmark in
        let input = frames(count: benchmark.scaledIterations.count)
        let processor = NIOSingleStepByteToMessageProcessor(
            RawSocketFrameDecoder(maxLength: RawSocketHandshake.maximumMaxLength, expectsHandshake: false))
        var count = 0
        benchmark.startMeasurement()
        try processor.process(buffer: input) { unit in
            count += 1
            blackHole(unit)
        }
        benchmark.stopMeasurement()
        precondition(count == benchmark.scaledIterations.count, "decoded \(count) frames")
    }

    Benchmark("Frame receive (RawSocketProtocolCore)", configuration: frameConfiguration) { benchmark in
        let allocator = ByteBufferAllocator()
        var core = RawSocketProtocolCore(
            role: .server(acceptedSerializers: [1, 2], refusal: nil),
            maxReceiveLength: RawSocketHandshake.maximumMaxLength, maxPings: 10)
        _ = core.start(allocator: allocator)
        var handshake = allocator.buffer(capacity: 4)
        handshake.writeInteger(RawSocketHandshake.Request(maxLength: 1 << 24, serializer: 1).encoded)
        core.receive(handshake, allocator: allocator) { _ in }
        let input = frames(count: benchmark.scaledIterations.count)
        var count = 0
        benchmark.startMeasurement()
        core.receive(input, allocator: allocator) { event in
            if case .message(let payload) = event {
                count += 1
                blackHole(payload)
            }
        }
        benchmark.stopMeasurement()
        precondition(count == benchmark.scaledIterations.count, "received \(count) messages")
    }

    registerEchoBenchmark(WAMPJSONSerializer(), name: "JSON")
    registerEchoBenchmark(WAMPMsgPackSerializer(), name: "MsgPack")
    registerEchoBenchmark(WAMPCBORSerializer(), name: "CBOR")
}
