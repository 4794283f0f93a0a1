import CBORSerializer
import SerializerTestSupport
import Testing

/// The WAMP conformance vectors (wamp-proto `testsuite/singlemessage`): every CBOR sample
/// decodes to its expected attributes, and our own encoding decodes back to the same message.
@Suite("CBOR conformance vectors")
struct ConformanceVectorTests {
    @Test("Every cbor sample decodes to its expected attributes and survives re-serialization")
    func everyCBORSampleDecodesToItsExpectedAttributes() throws {
        let report = try RoundTripCheck.conformanceVectors(WAMPCBORSerializer(), vectorKey: "cbor")
        for problem in report.problems { Issue.record("\(problem)") }
        #expect(report.checked > 25, "only \(report.checked) cbor samples were checked")
        #expect(report.comparedBytes > 20, "only \(report.comparedBytes) encodings were compared byte for byte")
    }
}
