import MsgPackSerializer
import NIOCore
import Testing
import Transport
@testable import WAMPRouter

@Suite("OutboundSize")
struct OutboundSizeTests {
    /// Args and Kw as received from a MessagePack peer: still serialized.
    static func serializedPayload() throws -> WAMPPayload {
        var configuration = WAMPMsgPackSerializer.Configuration()
        configuration.serializedPayloadThreshold = 0  // as `wamp router` runs it
        let serializer = WAMPMsgPackSerializer(configuration: configuration)
        let call = WAMPMessage.call(.init(
            request: 1, procedure: "com.example.echo", payload: .arguments(["hello", 42, 3.14], ["k": "v"])))
        let received = try serializer.deserialize(try serializer.serialize(call, allocator: ByteBufferAllocator()))
        let payload = try #require(received.payload)
        guard case .serialized = payload else {
            Issue.record("the MessagePack serializer decoded the payload")
            return payload
        }
        return payload
    }

    /// Made for each use, not kept in a static: LeakSanitizer does not recognise the pointer in
    /// a `.transparent` payload stored in global memory (the enum's tag shares its bits) and
    /// would report it as leaked at exit.
    static var payloads: [WAMPPayload] {
        [
            .empty, .arguments(["a", 1], [:]), .arguments([], ["k": [1, 2]]), .arguments([.null, true], ["k": 2.5]),
            .transparent([1, 2, 3]),
        ]
    }

    static func messages(with payload: WAMPPayload) -> [WAMPMessage] {
        [
            .invocation(.init(request: 7, registration: 1 << 40, details: ["caller": 3, "procedure": "a.b"], payload: payload)),
            .result(.init(request: 1 << 53, details: ["progress": true], payload: payload)),
            .event(.init(subscription: 2, publication: 3, details: [:], payload: payload)),
        ]
    }

    @Test("INVOCATION, RESULT and EVENT counted field by field come to the sum over their list form")
    func fieldByFieldEqualsListForm() throws {
        for payload in Self.payloads + [try Self.serializedPayload()] {
            for message in Self.messages(with: payload) {
                #expect(
                    OutboundSize.octets(of: message) == OutboundSize.octets(ofElements: message),
                    "\(message.type) with payload \(payload)")
            }
        }
    }

    @Test("a serialized payload counts its length, without being decoded")
    func serializedPayloadCountsItsBytes() throws {
        let payload = try Self.serializedPayload()
        guard case .serialized(let serialized) = payload else { return }
        let result = WAMPMessage.result(.init(request: 1, payload: payload))
        // Type code and request: 9 octets each; an empty dict: 5.
        #expect(OutboundSize.octets(of: result) == 9 + 9 + 5 + serialized.bytes.readableBytes)
    }
}
