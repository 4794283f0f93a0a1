import NIOCore
public import Testing
public import Transport

/// Checks of a format's value encodings that every binary plugin's tests share. Failures are
/// recorded at the caller's source location.
public enum FormatCheck {
    /// A value and the bytes of its encoding.
    public struct IntegerCase: Sendable, CustomTestStringConvertible {
        public var name: String
        public var hex: String
        public var value: WAMPValue
        public var testDescription: String { "\(name) \(hex)" }

        public init(name: String, hex: String, value: WAMPValue) {
            self.name = name
            self.hex = hex
            self.value = value
        }
    }

    /// `decoded` is the integer of `testCase`, in the same case: `.integer` and
    /// `.unsignedInteger` compare equal for equal numbers, so the case is checked too.
    public static func decodedExactly(
        _ decoded: WAMPValue?, _ testCase: IntegerCase, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(decoded == testCase.value, sourceLocation: sourceLocation)
        switch (decoded, testCase.value) {
        case (.integer?, .integer), (.unsignedInteger?, .unsignedInteger): break
        default:
            Issue.record(
                "\(testCase.hex) decoded to \(String(describing: decoded)), expected \(testCase.value)",
                sourceLocation: sourceLocation)
        }
    }

    /// Each value serializes to exactly its hex.
    public static func encodes(
        _ serializer: some ValueSerializer, _ cases: [(WAMPValue, String)], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for (value, expected) in cases {
            var buffer = ByteBuffer()
            try serializer.serializeValue(value, into: &buffer)
            #expect(hex(buffer.readableBytesView) == expected, "\(value)", sourceLocation: sourceLocation)
        }
    }

    /// An EVENT carrying `UInt64.max` encodes as `expectedHex` and decodes back to the exact
    /// `.unsignedInteger`.
    public static func uint64MaxRoundTrip(
        _ serializer: some WAMPSerializer, expectedHex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let message = WAMPMessage.event(.init(
            subscription: 1, publication: 2, payload: .arguments([.unsignedInteger(.max)], [:])))
        let encoded: [UInt8] = try serializer.serialize(message)
        #expect(hex(encoded) == expectedHex, sourceLocation: sourceLocation)
        let decoded = try serializer.deserialize(encoded)
        #expect(decoded == message, sourceLocation: sourceLocation)
        guard case .event(let event) = decoded, case .unsignedInteger(let v) = event.args.first else {
            Issue.record("expected an EVENT with one unsigned integer, got \(decoded)", sourceLocation: sourceLocation)
            return
        }
        #expect(v == .max, sourceLocation: sourceLocation)
    }
}
