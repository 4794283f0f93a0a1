import JSONSerializer
import MsgPackSerializer
import Testing
import Transport

/// The serializers agree: a message means the same whichever plugin carries it.
@Suite("The same messages through both serializers")
struct CrossSerializerTests {
    static let serializers: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer()]

    @Test("random messages round-trip through JSON and MessagePack and decode to equal typed values",
          arguments: [11, 12, 13] as [UInt64])
    func randomMessagesAgree(seed: UInt64) throws {
        var generator = RandomMessages(seed: seed)
        for _ in 0 ..< 300 {
            let message = generator.message()
            let viaJSON = try Self.serializers[0].deserialize(Self.serializers[0].serialize(message) as [UInt8])
            let viaMsgPack = try Self.serializers[1].deserialize(Self.serializers[1].serialize(message) as [UInt8])
            #expect(viaJSON == message, "seed \(seed): JSON changed \(message)")
            #expect(viaMsgPack == message, "seed \(seed): MessagePack changed \(message)")
            #expect(viaJSON == viaMsgPack, "seed \(seed): the serializers disagree on \(message)")
        }
    }

    @Test("a JSON message re-serialized as MessagePack and back is unchanged (a router translating)")
    func translationKeepsTheMessage() throws {
        let json = WAMPJSONSerializer()
        let msgpack = WAMPMsgPackSerializer()
        let text = #"[36,5647382910,998877665544,{"enc_algo":"cryptobox"},"\u0000g6Vjb2xvcqRibHVl"]"#
        let fromJSON = try json.deserialize(Array(text.utf8))
        let translated = try msgpack.deserialize(msgpack.serialize(fromJSON) as [UInt8])
        #expect(translated == fromJSON)
        guard case .event(let event) = translated, case .transparent(let bytes) = event.payload else {
            Issue.record("expected a passthru EVENT, got \(translated)")
            return
        }
        #expect(bytes.count == 12)
        let back = try json.deserialize(json.serialize(translated) as [UInt8])
        #expect(back == fromJSON)
    }

    @Test("integers, doubles and booleans stay apart through both serializers")
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
