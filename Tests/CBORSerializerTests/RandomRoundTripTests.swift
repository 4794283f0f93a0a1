import CBORSerializer
import SerializerTestSupport
import Testing

/// Random typed messages and values (from a seeded generator, so failures repeat) survive
/// serialize → deserialize unchanged.
@Suite("Random CBOR round trips")
struct RandomRoundTripTests {
    @Test("200 random messages of every type survive a round trip", arguments: [0x5EED_0001, 0x5EED_0002] as [UInt64])
    func randomMessagesSurviveRoundTrip(seed: UInt64) throws {
        try RoundTripCheck.randomMessages(WAMPCBORSerializer(), seed: seed)
    }

    @Test("200 random values survive a value round trip")
    func randomValuesSurviveRoundTrip() throws {
        try RoundTripCheck.randomValues(WAMPCBORSerializer(), seed: 0x5EED_0003)
    }
}
