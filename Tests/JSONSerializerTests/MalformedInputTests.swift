import JSONSerializer
import NIOCore
import Testing
import Transport

/// One input that must be refused, and how.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expected: ExpectedError

    init(_ name: String, _ text: String, _ expected: ExpectedError) {
        self.init(name, Array(text.utf8), expected)
    }

    init(_ name: String, _ bytes: [UInt8], _ expected: ExpectedError) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    var testDescription: String { name }

    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    static let all: [MalformedCase] = [
        // Well-formed JSON that is not a WAMP message: WAMPProtocolError.
        .init("an object, not a list", "{}", .protocolViolation(.notAList)),
        .init("a string, not a list", #""hello""#, .protocolViolation(.notAList)),
        .init("a number, not a list", "42", .protocolViolation(.notAList)),
        .init("null, not a list", "null", .protocolViolation(.notAList)),
        .init("an empty list", "[]", .protocolViolation(.emptyMessage)),
        .init("a string type code", #"["1","realm",{}]"#, .protocolViolation(.messageTypeNotInteger)),
        .init("a boolean type code", #"[true,"realm",{}]"#, .protocolViolation(.messageTypeNotInteger)),
        .init("a double type code", #"[1.0,"realm",{}]"#, .protocolViolation(.messageTypeNotInteger)),
        .init("too few elements", #"[1,"realm"]"#, .protocolViolation(.wrongElementCount)),
        .init("too many elements", "[17,1,2,3]", .protocolViolation(.wrongElementCount)),
        .init("a list where a dict belongs", #"[1,"realm",[]]"#, .protocolViolation(.wrongElementType)),
        .init("an ID as a string", #"[17,"1",2]"#, .protocolViolation(.wrongElementType)),
        .init("an ID as a boolean", "[17,true,2]", .protocolViolation(.wrongElementType)),
        .init("an ID as a double", "[17,1.0,2]", .protocolViolation(.wrongElementType)),
        .init("Args as a dict", #"[50,1,{},{"a":1}]"#, .protocolViolation(.wrongElementType)),
        .init("ID 0", "[17,0,2]", .protocolViolation(.idOutOfRange)),
        .init("ID 2^53+1", "[17,9007199254740993,2]", .protocolViolation(.idOutOfRange)),
        .init("a negative ID", "[17,-1,2]", .protocolViolation(.idOutOfRange)),
        .init("ID UInt64.max", "[17,18446744073709551615,2]", .protocolViolation(.idOutOfRange)),
        .init("a URI with a space", #"[32,1,{},"bad uri"]"#, .protocolViolation(.invalidURI)),
        .init("an ERROR for a request type that has none", #"[8,17,1,{},"e"]"#, .protocolViolation(.invalidRequestType)),

        // Invalid UTF-8.
        .init("a 0xFF byte", [0x5B, 0x31, 0x2C, 0x22, 0xFF, 0x22, 0x2C, 0x7B, 0x7D, 0x5D], .serialization(.invalidUTF8)),
        .init("a lone continuation byte", [0x5B, 0x31, 0x2C, 0x22, 0x80, 0x22, 0x2C, 0x7B, 0x7D, 0x5D], .serialization(.invalidUTF8)),
        .init("an overlong encoding", [0x5B, 0x31, 0x2C, 0x22, 0xC0, 0xAF, 0x22, 0x2C, 0x7B, 0x7D, 0x5D], .serialization(.invalidUTF8)),
        .init("an encoded surrogate", [0x5B, 0x31, 0x2C, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x2C, 0x7B, 0x7D, 0x5D], .serialization(.invalidUTF8)),
        .init("a code point above U+10FFFF", [0x5B, 0x31, 0x2C, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D], .serialization(.invalidUTF8)),
        .init("a sequence cut short by a quote", [0x5B, 0x31, 0x2C, 0x22, 0xE2, 0x82, 0x22, 0x5D], .serialization(.invalidUTF8)),
        .init("input ending inside a UTF-8 sequence", [0x5B, 0x31, 0x2C, 0x22, 0xE2, 0x82], .serialization(.invalidUTF8)),
        .init("UTF-16 text", Array("[17,1,2]".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), .serialization(.malformed)),

        // Truncated.
        .init("empty input", "", .serialization(.truncated)),
        .init("only whitespace", " \n ", .serialization(.truncated)),
        .init("input ending inside a dict", "[16,1,{", .serialization(.truncated)),
        .init("input ending inside a string", #"[1,"re"#, .serialization(.truncated)),
        .init("input ending after an element", "[17,1,2", .serialization(.truncated)),
        .init("input ending after a comma", "[17,1,2,", .serialization(.truncated)),

        // Trailing bytes.
        .init("a word after the message", "[17,1,2] x", .serialization(.trailingBytes)),
        .init("a second message", "[17,1,2][17,1,2]", .serialization(.trailingBytes)),
        .init("an extra closing bracket", "[17,1,2]]", .serialization(.trailingBytes)),
        .init("a second string", #""a" "b""#, .serialization(.trailingBytes)),

        // Nesting.
        .init("nesting 10000 deep", nested(10000), .serialization(.nestingTooDeep)),
        .init("dicts nested 10000 deep", String(repeating: #"{"a":"#, count: 10000), .serialization(.nestingTooDeep)),
        .init("nesting 65 deep", nested(65), .serialization(.nestingTooDeep)),

        // Other syntax errors.
        .init("a missing element", "[17,,2]", .serialization(.malformed)),
        .init("a missing comma", "[17 1 2]", .serialization(.malformed)),
        .init("a trailing comma", "[17,1,2,]", .serialization(.malformed)),
        .init("a trailing comma in a dict", #"[1,"r",{"a":1,}]"#, .serialization(.malformed)),
        .init("a closing bracket first", "]", .serialization(.malformed)),
        .init("a capitalised literal", "[True]", .serialization(.malformed)),
        .init("NaN", "[NaN]", .serialization(.malformed)),
        .init("Infinity", "[Infinity]", .serialization(.malformed)),
        .init("a number too large for a double", "[1e400]", .serialization(.malformed)),
        .init("a 400-digit integer", "[" + String(repeating: "9", count: 400) + "]", .serialization(.malformed)),
        .init("a leading zero", "[017]", .serialization(.malformed)),
        .init("single quotes", "['a']", .serialization(.malformed)),
        .init("an unpaired surrogate escape", #"[1,"\ud800",{}]"#, .serialization(.malformed)),
        .init("an invalid escape", #"[1,"\x",{}]"#, .serialization(.malformed)),
        .init("a raw control character in a string", "[1,\"a\u{01}b\",{}]", .serialization(.malformed)),
        .init("a raw NUL byte", [0x5B, 0x31, 0x2C, 0x22, 0x00, 0x22, 0x5D], .serialization(.malformed)),
        .init("a non-string dict key", "[1,\"r\",{1:2}]", .serialization(.malformed)),

        // Binary strings that are not padded standard base64.
        .init("base64 of the wrong length", #"[36,1,2,{},"\u0000abc"]"#, .serialization(.malformed)),
        .init("base64 without padding", #"[36,1,2,{},"\u0000Zg"]"#, .serialization(.malformed)),
        .init("a character outside base64", #"[36,1,2,{},"\u0000ab!d"]"#, .serialization(.malformed)),
        .init("URL-safe base64", #"[36,1,2,{},"\u0000-_8="]"#, .serialization(.malformed)),
        .init("padding in the middle", #"[36,1,2,{},"\u0000Zg==Zg=="]"#, .serialization(.malformed)),
        .init("only padding", #"[36,1,2,{},"\u0000===="]"#, .serialization(.malformed)),
    ]
}

/// Inputs that must be refused with a specific error, and never crash.
@Suite("Malformed input")
struct MalformedInputTests {
    @Test("malformed input is refused with its specific error", arguments: MalformedCase.all)
    func malformedInputIsRefused(_ testCase: MalformedCase) {
        #expect(decodingError(testCase.bytes) == testCase.expected)
    }

    @Test("nesting up to the limit is accepted, one level more is refused, both ways")
    func nestingLimitIsExact() throws {
        // The message's own list is level 1: a value of 63 levels inside it is fine.
        let deepest = (0 ..< 62).reduce(WAMPValue.list([])) { inner, _ in .list([inner]) }
        let message = WAMPMessage.unknown(.init(type: WAMPMessageType(rawValue: 1000), arguments: [deepest]))
        #expect(try decode(encode(message)) == message)
        #expect(throws: Never.self) { try decodeValue(MalformedCase.nested(64)) }

        let tooDeep = WAMPMessage.unknown(.init(type: WAMPMessageType(rawValue: 1000), arguments: [.list([deepest])]))
        let error = #expect(throws: WAMPSerializationError.self) { try encode(tooDeep) }
        #expect(error?.code == .nestingTooDeep)
        #expect(decodingError(Array(MalformedCase.nested(65).utf8)) == .serialization(.nestingTooDeep))
    }

    @Test("a configured nesting limit is honoured, and limits above Foundation's 512 act as 512")
    func configuredNestingLimit() throws {
        let shallow = WAMPJSONSerializer(configuration: .init(maxNestingDepth: 2))
        #expect(try decode(#"[1,"r",{}]"#, with: shallow) == .hello(.init(realm: "r")))
        #expect(decodingError(Array(#"[1,"r",{"a":[]}]"#.utf8), with: shallow) == .serialization(.nestingTooDeep))
        #expect(throws: WAMPSerializationError.self) { try encode(.hello(.init(realm: "r", details: ["a": []])), with: shallow) }

        let deep = WAMPJSONSerializer(configuration: .init(maxNestingDepth: 10_000))
        #expect(throws: Never.self) { try decodeValue(MalformedCase.nested(512), with: deep) }
        let error = #expect(throws: WAMPSerializationError.self) { try decodeValue(MalformedCase.nested(513), with: deep) }
        #expect(error?.code == .nestingTooDeep)
    }

    @Test("input longer than the limit is refused before it is parsed")
    func inputLengthLimit() throws {
        let small = WAMPJSONSerializer(configuration: .init(maxInputLength: 10))
        #expect(try decode("[17,1,234]", with: small) == .published(.init(request: 1, publication: 234)))
        #expect(decodingError(Array("[17,1,2345]".utf8), with: small) == .serialization(.tooLarge))

        // The default: 16 MiB is the largest input accepted.
        var huge = ByteBuffer()
        huge.writeRepeatingByte(UInt8(ascii: " "), count: 16 * 1024 * 1024 + 1)
        let error = #expect(throws: WAMPSerializationError.self) { try json.deserialize(huge) }
        #expect(error?.code == .tooLarge)
    }

    @Test("errors name the serializer and the byte offset where known")
    func errorsCarryContext() throws {
        let error = #expect(throws: WAMPSerializationError.self) { try decode("[17,1,2] x") }
        #expect(error?.serializer == "json")
        #expect(error?.offset == 9)
        let syntax = #expect(throws: WAMPSerializationError.self) { try decode("[17 1 2]") }
        #expect(syntax?.code == .malformed)
        #expect(syntax?.message.isEmpty == false)
    }
}
