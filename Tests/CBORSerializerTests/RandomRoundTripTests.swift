import CBORSerializer
import NIOCore
import SerializerTestSupport
import Testing

/// Random typed messages (from a seeded generator, so failures repeat) survive
/// serialize → deserialize unchanged.
@Suite("Random CBOR round trips")
struct RandomRoundTripTests {
    let serializer = WAMPCBORSerializer()

    @Test("200 random messages of every type survive a round trip", arguments: [0x5EED_0001, 0x5EED_0002] as [UInt64])
    func randomMessagesSurviveRoundTrip(seed: UInt64) throws {
        let report = try RoundTripCheck.randomMessages(serializer, seed: seed, count: 200)
        for problem in report.problems { Issue.record("\(problem)") }
        #expect(report.types.count >= 25, "only \(report.types.count) message types were generated")
    }

    @Test("200 random values survive a value round trip")
    func randomValuesSurviveRoundTrip() throws {
        let report = try RoundTripCheck.randomValues(seed: 0x5EED_0003, count: 200) { value in
            var buffer = ByteBuffer()
            try serializer.serializeValue(value, into: &buffer)
            return try serializer.deserializeValue(buffer)
        }
        for problem in report.problems { Issue.record("\(problem)") }
    }
}
