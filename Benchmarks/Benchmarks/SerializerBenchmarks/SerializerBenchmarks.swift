import Benchmark
import CBORSerializer
import JSONSerializer
import MsgPackSerializer
import NIOCore
import Transport

// Serialize and deserialize two messages with each serializer:
//
// - a small EVENT, `[36, 1, 2, {}, ["hello", 42, 3.14], {"k": "v"}]` (three small Args, one Kw),
//   1,000 operations per iteration;
// - a CALL with one 64 KiB binary argument, `[48, 1, {}, "com.example.echo", [<65536 bytes>]]`,
//   one operation per iteration.
//
// Serialization writes into one reused ByteBuffer, cleared before each message, so that the
// figures are the serializer's and not the allocator's growing a fresh buffer. Deserialization
// reads from a buffer made once in setup. Every figure is per message (`scalingFactor`).
//
// The custom metric `bytesPerMessage` is the size of the serialized message, for MB/s.

/// The small EVENT.
let smallEvent = try! WAMPMessage(elements: [36, 1, 2, [:], ["hello", 42, 3.14], ["k": "v"]])

/// The CALL with one 64 KiB binary argument (bytes 0, 1, ... 255, 0, 1, ...).
let largeCall = try! WAMPMessage(elements: [
    48, 1, [:], "com.example.echo", [.binary((0 ..< 65536).map { UInt8(truncatingIfNeeded: $0) })],
])

let bytesPerMessage = BenchmarkMetric.custom("bytesPerMessage", polarity: .prefersSmaller, useScalingFactor: false)

/// The metrics of every benchmark here.
let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, bytesPerMessage]

/// Exact counts in the tables ("87423", not "87 K").
var exactUnits: [BenchmarkMetric: BenchmarkUnits] { [.mallocCountTotal: .count, bytesPerMessage: .count] }

func serialized(_ message: WAMPMessage, with serializer: some WAMPSerializer) -> ByteBuffer {
    var buffer = ByteBuffer()
    try! serializer.serialize(message, into: &buffer)
    return buffer
}

func registerSerializerBenchmarks<Serializer: WAMPSerializer>(_ serializer: Serializer, name: String) {
    let cases: [(label: String, message: WAMPMessage, scaling: BenchmarkScalingFactor)] = [
        ("EVENT small", smallEvent, .kilo),
        ("CALL 64 KiB binary", largeCall, .one),
    ]
    for (label, message, scaling) in cases {
        let configuration = Benchmark.Configuration(
            metrics: metrics, timeUnits: .nanoseconds, units: exactUnits, scalingFactor: scaling,
            maxDuration: .seconds(2), maxIterations: 100_000)
        let size = serialized(message, with: serializer).readableBytes

        Benchmark("\(name) serialize \(label)", configuration: configuration) { benchmark in
            var buffer = ByteBufferAllocator().buffer(capacity: size + 64)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                try serializer.serialize(message, into: &buffer)
                blackHole(buffer.writerIndex)
            }
            benchmark.stopMeasurement()
            benchmark.measurement(bytesPerMessage, size)
        }

        Benchmark("\(name) deserialize \(label)", configuration: configuration) { benchmark in
            let bytes = serialized(message, with: serializer)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try serializer.deserialize(bytes))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(bytesPerMessage, size)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    registerSerializerBenchmarks(WAMPJSONSerializer(), name: "JSON")
    registerSerializerBenchmarks(WAMPMsgPackSerializer(), name: "MsgPack")
    registerSerializerBenchmarks(WAMPCBORSerializer(), name: "CBOR")
}
