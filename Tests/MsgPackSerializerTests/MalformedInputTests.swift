import MsgPackSerializer
import SerializerTestSupport
import Testing
import Transport

/// Malformed and hostile input: each gives its specific error, none crashes or makes
/// msgpack-c allocate without bound.
@Suite("Malformed MessagePack input")
struct MalformedInputTests {
    typealias Case = MalformedInputCase

    static let cases: [Case] = [
        // The WAMP message layer.
        .init("a string, not a list", bytes("a3 666f6f"), .protocolViolation(.notAList)),
        .init("a map, not a list", bytes("81 a1 61 01"), .protocolViolation(.notAList)),
        .init("an empty list", bytes("90"), .protocolViolation(.emptyMessage)),
        .init("a string type code", bytes("91 a1 78"), .protocolViolation(.messageTypeNotInteger)),
        .init("HELLO with 2 elements", bytes("92 01 a1 78"), .protocolViolation(.wrongElementCount)),
        .init("HELLO with an integer realm", bytes("93 01 01 80"), .protocolViolation(.wrongElementType)),
        .init("HELLO with a bin realm", bytes("93 01 c4 01 78 80"), .protocolViolation(.wrongElementType)),
        .init("EVENT with details as a list", bytes("94 24 01 01 90"), .protocolViolation(.wrongElementType)),
        .init("PUBLISHED with request ID 0", bytes("93 11 00 01"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with ID 2^53 + 1", bytes("93 11 01 cf 0020000000000001"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with a negative ID", bytes("93 11 ff 01"), .protocolViolation(.idOutOfRange)),
        .init("PUBLISHED with a boolean ID", bytes("93 11 c3 01"), .protocolViolation(.wrongElementType)),
        .init("ERROR answering a HELLO", bytes("95 08 01 01 80 a1 65"), .protocolViolation(.invalidRequestType)),

        // MessagePack itself.
        .init("empty input", [], .serialization(.truncated)),
        .init("a non-string map key", bytes("93 01 a1 78 81 01 c0"), .serialization(.nonStringKey)),
        .init("a bin map key", bytes("93 01 a1 78 81 c4 01 6b c0"), .serialization(.nonStringKey)),
        .init("invalid UTF-8 in a str", bytes("93 01 a2 c328 80"), .serialization(.invalidUTF8)),
        .init("a UTF-16 surrogate in a str", bytes("93 01 a3 eda080 80"), .serialization(.invalidUTF8)),
        .init("invalid UTF-8 in a map key", bytes("93 01 a1 78 81 a1 ff c0"), .serialization(.invalidUTF8)),
        .init("truncated in a list", bytes("93 01 a1"), .serialization(.truncated)),
        .init("truncated in a uint32", bytes("93 11 ce 0000"), .serialization(.truncated)),
        .init("truncated in a length field", bytes("93 01 da 00"), .serialization(.truncated)),
        .init("a str longer than the input", bytes("93 01 a5 6162 80"), .serialization(.truncated)),
        .init("trailing bytes", bytes("92 23 01 00"), .serialization(.trailingBytes)),
        .init("two messages", bytes("92 23 01 92 23 01"), .serialization(.trailingBytes)),
        .init("the never-used byte 0xc1", bytes("92 23 c1"), .serialization(.malformed)),
        // The same rules inside a payload that stays serialized (checked without decoding it).
        .init("invalid UTF-8 in CALL Args", bytes("95 30 01 80 a1 70 91 a2 c328"), .serialization(.invalidUTF8)),
        .init("invalid UTF-8 in a nested EVENT Args string", bytes("95 24 01 01 80 91 91 a1 ff"), .serialization(.invalidUTF8)),
        .init("invalid UTF-8 in an EVENT Kw key", bytes("96 24 01 01 80 90 81 a1 ff c0"), .serialization(.invalidUTF8)),
        // ASCII before the bad byte: the ASCII fast path must not pass the string.
        .init("invalid UTF-8 after 20 ASCII bytes in CALL Args", bytes("95 30 01 80 a1 70 91 b5 " + String(repeating: "61", count: 20) + " ff"), .serialization(.invalidUTF8)),
        .init("a non-string EVENT Kw key", bytes("96 24 01 01 80 90 81 01 c0"), .serialization(.nonStringKey)),
        .init("a non-string key in a dict in CALL Args", bytes("95 30 01 80 a1 70 91 81 c4 01 6b c0"), .serialization(.nonStringKey)),
        .init("an extension value in CALL Args", bytes("95 30 01 80 a1 70 91 d4 01 00"), .serialization(.unsupportedType)),
        .init("an extension value in YIELD Kw", bytes("95 46 01 80 90 81 a1 6b c7 01 05 00"), .serialization(.unsupportedType)),
        .init("truncated in CALL Args", bytes("95 30 01 80 a1 70 92 01"), .serialization(.truncated)),
        .init("EVENT Kw as a list", bytes("96 24 01 01 80 90 90"), .protocolViolation(.wrongElementType)),
        .init("EVENT Args as a dict", bytes("95 24 01 01 80 80"), .protocolViolation(.wrongElementType)),
        .init("nesting 10000 deep", nestedArrays(10000), .serialization(.nestingTooDeep)),
        .init("empty maps nested 40 deep", [UInt8](repeating: 0x91, count: 39) + [0x80], .serialization(.nestingTooDeep)),
        .init("array32 claiming 4 billion elements", bytes("dd ffffffff 01 02 03 04 05"), .serialization(.truncated)),
        .init("map32 claiming 4 billion entries", bytes("df ffffffff a1 61 01 a1 62 02"), .serialization(.truncated)),
        .init("nested array32 headers claiming 179 million each",
              Array(repeating: bytes("dd 0aaaaaaa"), count: 8).flatMap { $0 }, .serialization(.truncated)),
        .init("array16 claiming more than remains", bytes("dc 0004 01 02 03"), .serialization(.truncated)),
        .init("str32 claiming 4 GiB", bytes("93 01 db ffffffff 61 80"), .serialization(.truncated)),
        .init("bin32 claiming 4 GiB", bytes("95 24 01 01 80 c6 ffffffff 00"), .serialization(.truncated)),
        .init("ext32 claiming 4 GiB", bytes("92 cd012c c9 ffffffff 01 00"), .serialization(.truncated)),
        .init("a fixext in a dict", bytes("93 01 a1 78 81 a1 6b d4 01 02"), .serialization(.unsupportedType)),
        .init("an ext 8 argument", bytes("92 cd012c c7 02 05 0102"), .serialization(.unsupportedType)),
        .init("a timestamp (ext -1)", bytes("92 cd012c d6 ff 00000000"), .serialization(.unsupportedType)),
        .init("an ext as the whole message", bytes("d4 01 02"), .serialization(.unsupportedType)),
    ]

    @Test("Malformed input gives its specific error", arguments: cases)
    func malformedInputGivesSpecificError(_ testCase: Case) {
        if let problem = testCase.problem(decodingWith: WAMPMsgPackSerializer()) {
            Issue.record("\(testCase.name): \(problem)")
        }
    }

    @Test("Malformed input gives its specific error when every payload stays serialized", arguments: cases)
    func malformedInputGivesSpecificErrorWithSerializedPayloads(_ testCase: Case) {
        if let problem = testCase.problem(decodingWith: keepingEveryPayloadSerialized) {
            Issue.record("\(testCase.name): \(problem)")
        }
    }

    @Test("A message type code this library does not know is kept as .unknown with its elements")
    func unknownTypeCodeIsKept() throws {
        let message = try WAMPMsgPackSerializer().deserialize(bytes("93 cd 012c 01 a1 78"))
        #expect(message == .unknown(.init(type: WAMPMessageType(rawValue: 300), arguments: [1, "x"])))
        #expect(try WAMPMsgPackSerializer().deserialize(WAMPMsgPackSerializer().serialize(message) as [UInt8]) == message)
    }

    @Test("The hostile array32 header is refused at its offset, before msgpack-c parses it")
    func hostileCountIsRefusedAtItsHeader() {
        let error = #expect(throws: WAMPSerializationError.self) {
            try WAMPMsgPackSerializer().deserialize(bytes("dd ffffffff 01 02 03 04 05"))
        }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 0)
        #expect(error?.message.contains("4294967295") == true, "\(String(describing: error))")
    }

    @Test("Errors carry the byte offset of the offending value")
    func errorsCarryOffsets() {
        let utf8 = #expect(throws: WAMPSerializationError.self) {
            try WAMPMsgPackSerializer().deserialize(bytes("93 01 a2 c328 80"))
        }
        #expect(utf8?.offset == 3, "the offset of the string's bytes")
        let trailing = #expect(throws: WAMPSerializationError.self) {
            try WAMPMsgPackSerializer().deserialize(bytes("92 23 01 00 00"))
        }
        #expect(trailing?.offset == 3)
    }

    @Test("A count equal to the bytes that remain is accepted")
    func countEqualToRemainingBytesIsAccepted() throws {
        #expect(try decodeHeldValue(bytes("dd 00000003 01 02 03")) == [1, 2, 3])
        #expect(try decodeHeldValue(bytes("df 00000001 a0 c0")) == ["": nil])
    }

    @Test("Input longer than maxInputLength (default 16 MiB) is refused; 16 MiB is accepted")
    func inputLengthLimit() throws {
        let limit = WAMPMsgPackSerializer.Configuration.defaultMaxInputLength
        #expect(limit == 16 * 1024 * 1024)
        // [300, bin32 of n bytes]: 4 + 5 + n bytes.
        let n = limit - 9
        let exact = unknownMessage(holding: bytes("c6") + withUnsafeBytes(of: UInt32(n).bigEndian, Array.init))
            + [UInt8](repeating: 0x5A, count: n)
        #expect(exact.count == limit)
        guard case .unknown(let message) = try WAMPMsgPackSerializer().deserialize(exact) else {
            Issue.record("expected an unknown message")
            return
        }
        #expect(message.arguments.first?.binaryValue?.count == n)

        let error = #expect(throws: WAMPSerializationError.self) {
            try WAMPMsgPackSerializer().deserialize(exact + [0x00])
        }
        #expect(error?.code == .tooLarge)
    }

    @Test("More container elements than maxElementCount are refused as too large")
    func elementCountLimit() throws {
        let serializer = WAMPMsgPackSerializer(configuration: .init(maxElementCount: 6))
        // [300, [1, 2, 3, 4]]: 2 + 4 elements.
        #expect(try decodeHeldValue(bytes("94 01 02 03 04"), with: serializer) == [1, 2, 3, 4])
        let error = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: bytes("95 01 02 03 04 05")))
        }
        #expect(error?.code == .tooLarge)
        // A dict entry counts twice.
        let dictError = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: bytes("83 a1 61 01 a1 62 02 a1 63 03")))
        }
        #expect(dictError?.code == .tooLarge)
    }
}
