import CBORSerializer
import JSONSerializer
import MsgPackSerializer
import Testing
import Transport

/// The serializers agree: a message means the same whichever plugin carries it.
@Suite("The same messages through all three serializers")
struct CrossSerializerTests {
    static let serializers: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer(), WAMPCBORSerializer()]

    @Test("random messages round-trip through JSON, MessagePack and CBOR and decode to equal typed values",
          arguments: [11, 12, 13] as [UInt64])
    func randomMessagesAgree(seed: UInt64) throws {
        var generator = RandomMessages(seed: seed)
        for _ in 0 ..< 300 {
            let message = generator.message()
            let decoded = try Self.serializers.map { serializer in
                try serializer.deserialize(serializer.serialize(message) as [UInt8])
            }
            for (serializer, result) in zip(Self.serializers, decoded) {
                #expect(result == message, "seed \(seed): \(serializer.id.name) changed \(message)")
                #expect(result == decoded[0], "seed \(seed): \(serializer.id.name) and json disagree on \(message)")
            }
        }
    }

    @Test("a JSON message re-serialized as MessagePack or CBOR and back is unchanged (a router translating)",
          arguments: [WAMPMsgPackSerializer(), WAMPCBORSerializer()] as [any WAMPSerializer])
    func translationKeepsTheMessage(binary: any WAMPSerializer) throws {
        let json = WAMPJSONSerializer()
        let text = #"[36,5647382910,998877665544,{"enc_algo":"cryptobox"},"\u0000g6Vjb2xvcqRibHVl"]"#
        let fromJSON = try json.deserialize(Array(text.utf8))
        let translated = try binary.deserialize(binary.serialize(fromJSON) as [UInt8])
        #expect(translated == fromJSON)
        guard case .event(let event) = translated, case .transparent(let bytes) = event.payload else {
            Issue.record("expected a passthru EVENT, got \(translated)")
            return
        }
        #expect(bytes.count == 12)
        let back = try json.deserialize(json.serialize(translated) as [UInt8])
        #expect(back == fromJSON)
    }

    @Test("integers, doubles and booleans stay apart through all three serializers")
    func kindsStayApart() throws {
        let message = WAMPMessage.event(.init(
            subscription: 1, publication: 2,
            payload: .arguments([1, 1.0, true, 0, false, .integer(exactly: UInt64.max), 9_007_199_254_740_992], [:])))
        for serializer in Self.serializers {
            let decoded = try serializer.deserialize(serializer.serialize(message) as [UInt8])
            #expect(decoded == message, "\(serializer.id)")
            guard case .event(let event) = decoded else { continue }
            #expect(event.args[0] == .integer(1) && event.args[1] == .double(1) && event.args[2] == .bool(true))
            #expect(event.args[5] == .unsignedInteger(UInt64.max))
        }
    }
}
