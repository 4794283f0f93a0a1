import Testing
import Transport

@Suite("Random messages through the list form")
struct RandomMessageTests {
    @Test("random messages of every type round-trip through the list form", arguments: [1, 2, 3, 42, 2024] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var generator = RandomMessages(seed: seed)
        for _ in 0 ..< 400 {
            let message = generator.message()
            let elements = message.elements
            let decoded = try WAMPMessage(elements: elements)
            #expect(decoded == message, "seed \(seed): \(message)")
            #expect(decoded.elements == elements, "seed \(seed): \(message)")
        }
    }

    @Test("each known type round-trips with many random payloads", arguments: RandomMessages.knownTypes)
    func everyType(type: WAMPMessageType) throws {
        var generator = RandomMessages(seed: UInt64(type.rawValue))
        for _ in 0 ..< 50 {
            let message = generator.message(of: type)
            #expect(message.type == type)
            #expect(try WAMPMessage(elements: message.elements) == message, "\(message)")
        }
    }

    @Test("the generator is deterministic for a seed and covers every type")
    func deterministic() {
        var a = RandomMessages(seed: 7)
        var b = RandomMessages(seed: 7)
        var types = Set<WAMPMessageType>()
        var sawUnknown = false
        var sawPassthru = false
        for _ in 0 ..< 1000 {
            let message = a.message()
            #expect(message == b.message())
            types.insert(message.type)
            if case .unknown = message { sawUnknown = true }
            if let payload = (message.body as? any WAMPPayloadCarrying)?.payload, case .transparent = payload {
                sawPassthru = true
            }
        }
        #expect(types.isSuperset(of: RandomMessages.knownTypes))
        #expect(sawUnknown)
        #expect(sawPassthru)
    }

    @Test("random Codable-free values survive the encoder and decoder unchanged")
    func valuesThroughCodable() throws {
        var generator = RandomMessages(seed: 99)
        let encoder = WAMPValueEncoder()
        let decoder = WAMPValueDecoder()
        for _ in 0 ..< 300 {
            let value = generator.value()
            #expect(try encoder.encode(value) == value)
            #expect(try decoder.decode(WAMPValue.self, from: value) == value)
            #expect(try encoder.encode([value]) == [value])
            #expect(try decoder.decode([String: WAMPValue].self, from: ["k": value]) == ["k": value])
        }
    }
}
