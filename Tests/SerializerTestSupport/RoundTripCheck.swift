public import NIOCore
public import Testing
public import Transport

/// A serializer that also reads and writes single values, as every binary plugin does.
public protocol ValueSerializer: WAMPSerializer {
    func serializeValue(_ value: WAMPValue, into buffer: inout ByteBuffer) throws
    func deserializeValue(_ buffer: ByteBuffer) throws -> WAMPValue
}

/// The round trips every serializer plugin's tests run: the conformance vectors of one
/// serializer, and seeded random messages and values (so failures repeat). Failures are
/// recorded at the caller's source location.
public enum RoundTripCheck {
    /// Every sample of `vectorKey` (`"msgpack"`, `"cbor"`) decodes to its expected
    /// attributes, our encoding decodes back to the same message, and (when no dict has two
    /// or more keys, whose order is not fixed) our encoding equals the sample's bytes. More
    /// than 25 encodings are checked, more than 20 byte for byte.
    public static func conformanceVectors(
        _ serializer: some WAMPSerializer, vectorKey: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var checked = 0
        var comparedBytes = 0
        for sample in try ConformanceVectors.load(serializer: vectorKey) {
            for variant in sample.hexVariants {
                let context = "\(sample.file) sample \(sample.index) (\(sample.description)), bytes \(variant)"
                let message: WAMPMessage
                do {
                    message = try serializer.deserialize(bytes(variant))
                } catch {
                    Issue.record("\(context): does not decode: \(error)", sourceLocation: sourceLocation)
                    continue
                }
                for mismatch in ConformanceVectors.mismatches(message, expected: sample.expected) {
                    Issue.record("\(context): \(mismatch)", sourceLocation: sourceLocation)
                }
                let reencoded: [UInt8] = try serializer.serialize(message)
                let again = try serializer.deserialize(reencoded)
                #expect(again == message, "\(context): our encoding \(hex(reencoded)) decodes to \(again)", sourceLocation: sourceLocation)
                if !ConformanceVectors.hasDictWithSeveralKeys(message.value) {
                    #expect(hex(reencoded) == variant.lowercased(), "\(context): our encoding differs", sourceLocation: sourceLocation)
                    comparedBytes += 1
                }
                checked += 1
            }
        }
        #expect(checked > 25, "only \(checked) \(vectorKey) samples were checked", sourceLocation: sourceLocation)
        #expect(comparedBytes > 20, "only \(comparedBytes) encodings were compared byte for byte", sourceLocation: sourceLocation)
    }

    /// 200 random messages from `seed`, of at least 25 types, come back equal.
    public static func randomMessages(
        _ serializer: some WAMPSerializer, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var generator = RandomMessageGenerator(seed: seed)
        var types: Set<WAMPMessageType> = []
        for index in 0 ..< 200 {
            let message = generator.message()
            types.insert(message.type)
            var buffer = ByteBuffer()
            try serializer.serialize(message, into: &buffer)
            let decoded = try serializer.deserialize(buffer)
            #expect(decoded == message, "message \(index) (seed \(seed)): \(message) came back as \(decoded)", sourceLocation: sourceLocation)
        }
        #expect(types.count >= 25, "only \(types.count) message types were generated", sourceLocation: sourceLocation)
    }

    /// 200 random values from `seed` come back equal through `serializeValue` and
    /// `deserializeValue`.
    public static func randomValues(
        _ serializer: some ValueSerializer, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var generator = RandomMessageGenerator(seed: seed)
        for index in 0 ..< 200 {
            let value = generator.value(depth: 0)
            var buffer = ByteBuffer()
            try serializer.serializeValue(value, into: &buffer)
            #expect(try serializer.deserializeValue(buffer) == value, "value \(index): \(value)", sourceLocation: sourceLocation)
        }
    }
}
