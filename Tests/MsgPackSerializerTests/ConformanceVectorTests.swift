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
        let report = try RoundTripCheck.conformanceVectors(WAMPMsgPackSerializer(), vectorKey: "msgpack")
        for problem in report.problems { Issue.record("\(problem)") }
        #expect(report.checked > 25, "only \(report.checked) msgpack samples were checked")
        #expect(report.comparedBytes > 20, "only \(report.comparedBytes) encodings were compared byte for byte")
    }
}
