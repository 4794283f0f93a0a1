import MsgPackSerializer
import SerializerTestSupport
import Testing

/// The WAMP conformance vectors (wamp-proto `testsuite/singlemessage`): every MessagePack
/// sample decodes to its expected attributes, and our own encoding decodes back to the same
/// message.
@Suite("MessagePack conformance vectors")
struct ConformanceVectorTests {
    @Test("Every msgpack sample decodes to its expected attributes and survives re-serialization")
    func everyMsgPackSampleDecodesToItsExpectedAttributes() throws {
        try RoundTripCheck.conformanceVectors(WAMPMsgPackSerializer(), vectorKey: "msgpack")
    }
}
