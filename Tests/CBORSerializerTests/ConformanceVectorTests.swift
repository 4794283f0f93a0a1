import CBORSerializer
import SerializerTestSupport
import Testing

/// The WAMP conformance vectors (wamp-proto `testsuite/singlemessage`): every CBOR
/// sample decodes to its expected attributes, and our own encoding decodes back to the same
/// message.
@Suite("CBOR conformance vectors")
struct ConformanceVectorTests {
    @Test("Every cbor sample decodes to its expected attributes and survives re-serialization")
    func everyCBORSampleDecodesToItsExpectedAttributes() throws {
        try RoundTripCheck.conformanceVectors(WAMPCBORSerializer(), vectorKey: "cbor")
    }
}
