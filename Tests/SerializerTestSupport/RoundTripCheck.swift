public import Transport

/// The round trips every serializer plugin's tests run: the conformance vectors of one
/// serializer, and seeded random messages and values. Each returns what went wrong, one line
/// per problem, for the test to record.
public enum RoundTripCheck {
    /// What a run found.
    public struct Report: Sendable {
        /// One line per problem; empty when everything came back.
        public var problems: [String] = []
        /// How many messages or encodings were checked.
        public var checked = 0
        /// How many of our encodings were compared byte for byte with a sample.
        public var comparedBytes = 0
        /// The message types seen.
        public var types: Set<WAMPMessageType> = []
    }

    /// Every sample of `vectorKey` (`"msgpack"`, `"cbor"`) decodes to its expected
    /// attributes, our encoding decodes back to the same message, and (when no dict has two
    /// or more keys, whose order is not fixed) our encoding equals the sample's bytes.
    public static func conformanceVectors(_ serializer: any WAMPSerializer, vectorKey: String) throws -> Report {
        var report = Report()
        for sample in try ConformanceVectors.load(serializer: vectorKey) {
            for variant in sample.hexVariants {
                let context = "\(sample.file) sample \(sample.index) (\(sample.description)), bytes \(variant)"
                let message: WAMPMessage
                do {
                    message = try serializer.deserialize(bytes(variant))
                } catch {
                    report.problems.append("\(context): does not decode: \(error)")
                    continue
                }
                for mismatch in ConformanceVectors.mismatches(message, expected: sample.expected) {
                    report.problems.append("\(context): \(mismatch)")
                }
                let reencoded: [UInt8] = try serializer.serialize(message)
                let again = try serializer.deserialize(reencoded)
                if again != message {
                    report.problems.append("\(context): our encoding \(hex(reencoded)) decodes to \(again)")
                }
                if !ConformanceVectors.hasDictWithSeveralKeys(message.value) {
                    if hex(reencoded) != variant.lowercased() {
                        report.problems.append("\(context): our encoding differs: \(hex(reencoded))")
                    }
                    report.comparedBytes += 1
                }
                report.checked += 1
            }
        }
        return report
    }

    /// `count` random messages from `seed` come back equal through `serializer`.
    public static func randomMessages(_ serializer: any WAMPSerializer, seed: UInt64, count: Int) throws -> Report {
        var generator = RandomMessageGenerator(seed: seed)
        var report = Report()
        for index in 0 ..< count {
            let message = generator.message()
            report.types.insert(message.type)
            let decoded = try serializer.deserialize(serializer.serialize(message) as [UInt8])
            if decoded != message {
                report.problems.append("message \(index) (seed \(seed)): \(message) came back as \(decoded)")
            }
            report.checked += 1
        }
        return report
    }

    /// `count` random values from `seed` come back equal through `roundTrip` (a serializer's
    /// `serializeValue` then `deserializeValue`).
    public static func randomValues(
        seed: UInt64, count: Int, _ roundTrip: (WAMPValue) throws -> WAMPValue
    ) throws -> Report {
        var generator = RandomMessageGenerator(seed: seed)
        var report = Report()
        for index in 0 ..< count {
            let value = generator.value(depth: 0)
            let decoded = try roundTrip(value)
            if decoded != value {
                report.problems.append("value \(index) (seed \(seed)): \(value) came back as \(decoded)")
            }
            report.checked += 1
        }
        return report
    }
}
