import CBORSerializer
import SerializerTestSupport
import Testing
import Transport

/// Malformed and hostile input: each gives its specific error, none crashes, recurses or
/// allocates for what a header merely claims.
@Suite("Malformed CBOR input")
struct MalformedInputTests {
    typealias Case = MalformedInputCase

    /// A header of the major type `major` claiming `length` (elements, entries or bytes)
    /// with an 8-byte argument, then a few bytes.
    static func claiming(_ major: UInt8, _ length: UInt64) -> [UInt8] {
        [major << 5 | 27] + withUnsafeBytes(of: length.bigEndian, Array.init) + [0x01, 0x02, 0x03]
    }

    static let cases: [Case] = [
        // The WAMP message layer.
        .init("a string, not a list", bytes("63 666f6f"), .protocolViolation(.notAList)),
        .init("a map, not a list", bytes("a1 61 61 01"), .protocolViolation(.notAList)),
        .init("an empty list", bytes("80"), .protocolViolation(.emptyMessage)),
        .init("a string type code", bytes("81 61 78"), .protocolViolation(.messageTypeNotInteger)),
        .init("HELLO with 2 elements", bytes("82 01 61 78"), .protocolViolation(.wrongElementCount)),
        .init("HELLO with an integer realm", bytes("83 01 01 a0"), .protocolViolation(.wrongElementType)),
        .init("HELLO with a byte string realm (wrong major type)", bytes("83 01 41 78 a0"), .protocolViolation(.wrongElementType)),
        .init("EVENT with details as a list", bytes("84 18 24 01 01 80"), .protocolViolation(.wrongElementType)),
        .init("PUBLISHED with request ID 0", bytes("83 11 00 01"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with ID 2^53 + 1", bytes("83 11 01 1b 0020000000000001"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with a negative ID", bytes("83 11 20 01"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with a boolean ID", bytes("83 11 f5 01"), .protocolViolation(.wrongElementType)),
        .init("PUBLISHED with an ID below Int64.min", bytes("83 11 3b ffffffffffffffff 01"), .protocolViolation(.wrongElementType)),
        .init("ERROR answering a HELLO", bytes("85 08 01 01 a0 61 65"), .protocolViolation(.invalidRequestType)),

        // Truncation and trailing bytes.
        .init("empty input", [], .serialization(.truncated)),
        .init("truncated in a list", bytes("83 01 61"), .serialization(.truncated)),
        .init("a list that ends early", bytes("83 01 61 78"), .serialization(.truncated)),
        .init("truncated in a uint32", bytes("83 11 1a 0000"), .serialization(.truncated)),
        .init("truncated in a length field", bytes("83 01 79 00"), .serialization(.truncated)),
        .init("a text string longer than the input", bytes("83 01 65 6162 a0"), .serialization(.truncated)),
        .init("an unfinished indefinite-length array", bytes("9f 01 02"), .serialization(.truncated)),
        .init("an unfinished indefinite-length text string", bytes("83 01 7f 61 61"), .serialization(.truncated)),
        .init("trailing bytes", bytes("82 18 23 01 00"), .serialization(.trailingBytes)),
        .init("two messages", bytes("82 18 23 01 82 18 23 01"), .serialization(.trailingBytes)),

        // Lengths claiming far more than there is: refused at the header, nothing allocated.
        .init("an array claiming 2^63 elements", claiming(4, 1 << 63), .serialization(.truncated)),
        .init("a map claiming 2^63 entries", claiming(5, 1 << 63), .serialization(.truncated)),
        .init("a text string claiming 2^63 bytes", claiming(3, 1 << 63), .serialization(.truncated)),
        .init("a byte string claiming 2^63 bytes", claiming(2, 1 << 63), .serialization(.truncated)),
        .init("an array claiming 2^64 - 1 elements", claiming(4, .max), .serialization(.truncated)),
        .init("a byte string claiming 2^64 - 1 bytes", claiming(2, .max), .serialization(.truncated)),
        .init("a map claiming more entries than bytes remain, in pairs", bytes("a3 61 61 01 61 62"), .serialization(.truncated)),
        .init("nested arrays claiming 4 billion elements each",
              Array(repeating: bytes("9a ffffffff"), count: 8).flatMap { $0 }, .serialization(.truncated)),

        // Nesting: refused at the 65th level, however deep the input claims to go.
        .init("arrays nested 10000 deep", nestedArrays(10000), .serialization(.nestingTooDeep)),
        .init("indefinite-length arrays nested 10000 deep", [UInt8](repeating: 0x9f, count: 10000), .serialization(.nestingTooDeep)),
        .init("maps nested 10000 deep", Array(repeating: bytes("a1 61 61"), count: 10000).flatMap { $0 } + [0xf6],
              .serialization(.nestingTooDeep)),
        .init("empty maps nested 70 deep", [UInt8](repeating: 0x81, count: 69) + [0xa0], .serialization(.nestingTooDeep)),

        // Map keys.
        .init("an integer map key", bytes("83 01 61 78 a1 01 f6"), .serialization(.nonStringKey)),
        .init("a byte string map key", bytes("83 01 61 78 a1 41 6b f6"), .serialization(.nonStringKey)),
        .init("an array map key", bytes("83 01 61 78 a1 80 f6"), .serialization(.nonStringKey)),
        .init("a null map key in an indefinite-length map", bytes("83 01 61 78 bf f6 01 ff"), .serialization(.nonStringKey)),

        // UTF-8.
        .init("invalid UTF-8 in a text string", bytes("83 01 62 c328 a0"), .serialization(.invalidUTF8)),
        .init("a UTF-16 surrogate in a text string", bytes("83 01 63 eda080 a0"), .serialization(.invalidUTF8)),
        .init("an overlong encoding in a text string", bytes("83 01 62 c0af a0"), .serialization(.invalidUTF8)),
        .init("invalid UTF-8 in a map key", bytes("83 01 61 78 a1 61 ff f6"), .serialization(.invalidUTF8)),
        .init("invalid UTF-8 across the chunks of an indefinite-length text string",
              bytes("83 01 7f 61 c3 61 28 ff a0"), .serialization(.invalidUTF8)),

        // Items CBOR has but WAMP does not use, and reserved or misplaced encodings.
        .init("a tag", bytes("82 19 012c c1 00"), .serialization(.unsupportedType)),
        .init("a tag as the whole message", bytes("c0 60"), .serialization(.unsupportedType)),
        .init("an unassigned simple value", bytes("82 19 012c f0"), .serialization(.unsupportedType)),
        .init("a one-byte simple value", bytes("82 19 012c f8 20"), .serialization(.unsupportedType)),
        .init("the reserved additional information 28", bytes("82 18 23 1c"), .serialization(.malformed)),
        .init("the reserved initial byte 0xfc", bytes("82 18 23 fc"), .serialization(.malformed)),
        .init("a break code in a definite-length array", bytes("82 18 23 ff"), .serialization(.malformed)),
        .init("a break code as the whole message", bytes("ff"), .serialization(.malformed)),
        .init("an indefinite-length map ending after a key", bytes("82 19 012c bf 61 61 ff"), .serialization(.malformed)),
        .init("a byte string chunk in a text string (wrong major type)", bytes("82 19 012c 7f 41 61 ff"), .serialization(.malformed)),
        .init("a text string chunk in a byte string (wrong major type)", bytes("82 19 012c 5f 61 61 ff"), .serialization(.malformed)),
        .init("an indefinite-length chunk in an indefinite-length string", bytes("82 19 012c 5f 5f ff ff"), .serialization(.malformed)),
        .init("an integer in an indefinite-length text string", bytes("82 19 012c 7f 01 ff"), .serialization(.malformed)),
    ]

    @Test("Malformed input gives its specific error", arguments: cases)
    func malformedInputGivesSpecificError(_ testCase: Case) {
        if let problem = testCase.problem(decodingWith: WAMPCBORSerializer()) {
            Issue.record("\(testCase.name): \(problem)")
        }
    }

    @Test("A message type code this library does not know is kept as .unknown with its elements")
    func unknownTypeCodeIsKept() throws {
        let message = try WAMPCBORSerializer().deserialize(bytes("83 19 012c 01 61 78"))
        #expect(message == .unknown(.init(type: WAMPMessageType(rawValue: 300), arguments: [1, "x"])))
        #expect(try WAMPCBORSerializer().deserialize(WAMPCBORSerializer().serialize(message) as [UInt8]) == message)
    }

    @Test("A header claiming 2^63 elements is refused at its offset, naming the claim")
    func hugeClaimIsRefusedAtItsHeader() {
        let error = #expect(throws: WAMPSerializationError.self) {
            try WAMPCBORSerializer().deserialize(unknownMessage(holding: Self.claiming(4, 1 << 63)))
        }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 4)
        #expect(error?.message.contains("9223372036854775808") == true, "\(String(describing: error))")
    }

    @Test("Errors carry the byte offset of the offending value")
    func errorsCarryOffsets() {
        let utf8 = #expect(throws: WAMPSerializationError.self) {
            try WAMPCBORSerializer().deserialize(bytes("83 01 62 c328 a0"))
        }
        #expect(utf8?.offset == 3, "the offset of the string's bytes")
        let trailing = #expect(throws: WAMPSerializationError.self) {
            try WAMPCBORSerializer().deserialize(bytes("82 18 23 01 00 00"))
        }
        #expect(trailing?.offset == 4)
        let key = #expect(throws: WAMPSerializationError.self) {
            try WAMPCBORSerializer().deserialize(bytes("83 01 61 78 a1 01 f6"))
        }
        #expect(key?.offset == 5, "the offset of the key")
    }

    @Test("A count equal to the bytes that remain is accepted")
    func countEqualToRemainingBytesIsAccepted() throws {
        #expect(try decodeHeldValue(bytes("83 01 02 03")) == [1, 2, 3])
        #expect(try decodeHeldValue(bytes("a1 60 f6")) == ["": nil])
    }

    @Test("Input longer than maxInputLength (default 16 MiB) is refused; 16 MiB is accepted")
    func inputLengthLimit() throws {
        let limit = WAMPCBORSerializer.Configuration.defaultMaxInputLength
        #expect(limit == 16 * 1024 * 1024)
        // [300, a byte string of n bytes]: 4 + 5 + n bytes.
        let n = limit - 9
        let exact = unknownMessage(holding: bytes("5a") + withUnsafeBytes(of: UInt32(n).bigEndian, Array.init))
            + [UInt8](repeating: 0x5A, count: n)
        #expect(exact.count == limit)
        guard case .unknown(let message) = try WAMPCBORSerializer().deserialize(exact) else {
            Issue.record("expected an unknown message")
            return
        }
        #expect(message.arguments.first?.binaryValue?.count == n)

        let error = #expect(throws: WAMPSerializationError.self) {
            try WAMPCBORSerializer().deserialize(exact + [0x00])
        }
        #expect(error?.code == .tooLarge)
    }

    @Test("More container elements than maxElementCount are refused as too large, definite or not")
    func elementCountLimit() throws {
        let serializer = WAMPCBORSerializer(configuration: .init(maxElementCount: 6))
        // [300, [1, 2, 3, 4]]: 2 + 4 elements.
        #expect(try decodeHeldValue(bytes("84 01 02 03 04"), with: serializer) == [1, 2, 3, 4])
        #expect(try decodeHeldValue(bytes("9f 01 02 03 04 ff"), with: serializer) == [1, 2, 3, 4])
        for input in ["85 01 02 03 04 05", "9f 01 02 03 04 05 ff", "a3 61 61 01 61 62 02 61 63 03", "bf 61 61 01 61 62 02 61 63 03 ff"] {
            let error = #expect(throws: WAMPSerializationError.self) {
                try serializer.deserialize(unknownMessage(holding: bytes(input)))
            }
            #expect(error?.code == .tooLarge, "\(input)")
        }
    }
}
