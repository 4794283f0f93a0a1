import JSONSerializer
import NIOCore
import Testing
import Transport

/// The JSON rules of WAMP: types kept apart, numbers exact, strings escaped, binary as
/// U+0000 + base64, compact output.
@Suite("JSON values")
struct JSONValueTests {
    @Test("a boolean is never read as 0 or 1, and 1 is never read as a boolean or 1.0")
    func booleansAreNeverConfusedWithIntegers() throws {
        let message = try decode(#"[1, "r", {"a": true, "b": 1, "c": 1.0, "d": false, "e": 0}]"#)
        guard case .hello(let hello) = message else {
            Issue.record("expected HELLO, got \(message)")
            return
        }
        #expect(hello.details["a"] == .bool(true))
        #expect(hello.details["b"] == .integer(1))
        #expect(hello.details["c"] == .double(1.0))
        #expect(hello.details["d"] == .bool(false))
        #expect(hello.details["e"] == .integer(0))
        #expect(hello.details["a"] != .integer(1))
        #expect(hello.details["b"] != .bool(true))
        #expect(hello.details["b"] != .double(1.0))

        let text = try encode(message)
        #expect(text.contains(#""a":true"#))
        #expect(text.contains(#""b":1,"#) || text.hasSuffix(#""b":1}]"#))
        #expect(text.contains(#""c":1.0"#))
        #expect(try decode(text) == message)
    }

    @Test("integers up to UInt64.max survive a round trip exactly, as integers")
    func largeIntegersRoundTripExactly() throws {
        let values: [(text: String, value: WAMPValue)] = [
            ("9007199254740992", .integer(1 << 53)),
            ("9007199254740993", .integer(1 << 53 + 1)),
            ("9223372036854775807", .integer(.max)),
            ("9223372036854775808", .unsignedInteger(UInt64(Int64.max) + 1)),
            ("18446744073709551615", .unsignedInteger(.max)),
        ]
        for (text, value) in values {
            let decoded = try decodeValue("[\(text)]")
            #expect(decoded == .list([value]), "\(text)")
            if case .list(let elements) = decoded {
                // Exactly the right case, not a double that happens to compare equal.
                switch (elements.first, value) {
                case (.integer(let a)?, .integer(let b)): #expect(a == b)
                case (.unsignedInteger(let a)?, .unsignedInteger(let b)): #expect(a == b)
                default: Issue.record("\(text) decoded as \(decoded)")
                }
            }
            #expect(try encodeValue(.list([value])) == "[\(text)]")
        }
        // 2^53 as an ID and as a value in a full message.
        let published = WAMPMessage.published(.init(request: 1 << 53, publication: 1 << 53))
        #expect(try encode(published) == "[17,9007199254740992,9007199254740992]")
        #expect(try decode(encode(published)) == published)
        let result = WAMPMessage.result(.init(request: 1, payload: .arguments([.unsignedInteger(.max)], [:])))
        #expect(try encode(result) == "[50,1,{},[18446744073709551615]]")
        #expect(try decode(encode(result)) == result)
    }

    @Test("negative integers down to Int64.min survive a round trip exactly")
    func negativeIntegersRoundTrip() throws {
        for value: Int64 in [-1, -42, -(1 << 53), -(1 << 53) - 1, .min + 1, .min] {
            let text = "[\(value)]"
            #expect(try encodeValue([.integer(value)]) == text)
            #expect(try decodeValue(text) == [.integer(value)], "\(text)")
        }
        #expect(try decodeValue("[-0]") == [.integer(0)])
    }

    @Test("integers beyond 64 bits read as the nearest double")
    func integersBeyondSixtyFourBitsBecomeDoubles() throws {
        #expect(try decodeValue("[18446744073709551616]") == [.double(18446744073709551616.0)])
        #expect(try decodeValue("[-9223372036854775809]") == [.double(-9223372036854775809.0)])
        #expect(try decodeValue("[100000000000000000000]") == [.double(1e20)])
    }

    /// Foundation returns literals of more than 17 characters as NSDecimalNumber, which no
    /// longer says whether it was written as an integer or a float.
    @Test("long literals keep their kind: integer literals stay integers, float literals stay doubles",
          arguments: [
            ("9007199254740992.0", WAMPValue.double(9007199254740992.0)),
            ("1700000000000000.0", .double(1.7e15)),
            ("12345678901234567.0", .double(12345678901234567.0)),
            ("1.2345678901234567e+17", .double(1.2345678901234567e+17)),
            ("1.2345678901234567E17", .double(1.2345678901234567e+17)),
            ("-1000000000000000000.0", .double(-1e18)),
            ("0.30000000000000004", .double(0.30000000000000004)),
            ("0.12345678901234567890123", .double(0.12345678901234567890123)),
            ("-1000000000000000000", .integer(-1_000_000_000_000_000_000)),
            ("-9223372036854775808", .integer(.min)),
            ("10000000000000000000", .unsignedInteger(10_000_000_000_000_000_000)),
          ])
    func longLiteralsKeepTheirKind(text: String, expected: WAMPValue) throws {
        let decoded = try decodeValue("[\(text), {\"k\": \(text)}]")
        #expect(decoded == [expected, ["k": expected]])
        guard case .list(let elements) = decoded else { return }
        // The exact case and bits, not merely an equal value.
        switch (elements[0], expected) {
        case (.double(let a), .double(let b)): #expect(a.bitPattern == b.bitPattern)
        case (.integer(let a), .integer(let b)): #expect(a == b)
        case (.unsignedInteger(let a), .unsignedInteger(let b)): #expect(a == b)
        default: Issue.record("\(text) decoded as \(elements[0])")
        }
    }

    @Test("the same long value written as an integer and as a float keeps both kinds in a list")
    func sameLongValueInBothKinds() throws {
        let decoded = try decodeValue("[-1000000000000000000.0, -1000000000000000000, -1000000000000000000.0]")
        #expect(decoded == [.double(-1e18), .integer(-1_000_000_000_000_000_000), .double(-1e18)])
        if case .list(let elements) = decoded {
            #expect(elements.map(\.kindName) == ["double", "integer", "double"])
        }
    }

    @Test("doubles are written in shortest round-trip form and read back as doubles",
          arguments: [
            (3.14, "3.14"), (1.0, "1.0"), (1e300, "1e+300"), (-0.0, "-0.0"), (0.1, "0.1"),
            (-2.5, "-2.5"), (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456789012.0, "123456789012.0"), (1e16, "1e+16"),
          ])
    func doublesRoundTrip(value: Double, text: String) throws {
        #expect(try encodeValue([.double(value)]) == "[\(text)]")
        let decoded = try decodeValue("[\(text)]")
        guard case .list(let elements) = decoded, case .double(let double)? = elements.first else {
            Issue.record("\(text) decoded as \(decoded)")
            return
        }
        #expect(double == value)
        #expect(double.sign == value.sign, "the sign of \(text) is kept")
        #expect(double.bitPattern == value.bitPattern)
    }

    @Test("exponent forms read as doubles")
    func exponentFormsAreDoubles() throws {
        #expect(try decodeValue("[1E2, 1e-2, 2.5E+3]") == [.double(100), .double(0.01), .double(2500)])
    }

    @Test("NaN and infinity cannot be serialized", arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoublesAreUnsupported(value: Double) throws {
        let message = WAMPMessage.call(.init(request: 1, procedure: "p", payload: .arguments([], ["x": ["y": .double(value)]])))
        let error = #expect(throws: WAMPSerializationError.self) { try json.serialize(message) as [UInt8] }
        #expect(error?.code == .unsupportedValue)
    }

    @Test("a failed serialization leaves the buffer unchanged")
    func failedSerializationLeavesBufferUnchanged() throws {
        var buffer = ByteBuffer(string: "prefix")
        let message = WAMPMessage.yield(.init(request: 1, payload: .arguments(["ok", .double(.nan)], [:])))
        #expect(throws: WAMPSerializationError.self) { try json.serialize(message, into: &buffer) }
        #expect(String(buffer: buffer) == "prefix")
    }

    @Test("quotes, backslashes and control characters are escaped; other text is copied as UTF-8")
    func stringsAreEscaped() throws {
        let cases: [(String, String)] = [
            ("plain", #""plain""#),
            ("a\"b", #""a\"b""#),
            ("a\\b", #""a\\b""#),
            ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
            ("x\u{01}\u{1F}", #""x\u0001\u001f""#),
            ("x\u{7F}", "\"x\u{7F}\""),
            ("é€😀", "\"é€😀\""),
            ("a\u{2028}b", "\"a\u{2028}b\""),
            ("/", #""/""#),
            ("\u{FEFF}x\u{FEFF}", #""\ufeffx\ufeff""#),
            ("\u{FFEF}\u{EFFF}", "\"\u{FFEF}\u{EFFF}\""),
        ]
        for (string, expected) in cases {
            #expect(try encodeValue(.string(string)) == expected, "\(string.debugDescription)")
            #expect(try decodeValue(expected) == .string(string), "\(expected)")
        }
    }

    @Test("strings with every kind of character survive a round trip")
    func stringsRoundTrip() throws {
        let strings = [
            "", "quote \" backslash \\ slash /", "tab\tnewline\nreturn\r", "\u{01}\u{02}\u{1E}\u{1F}",
            "emoji 😀👍🏽 and 🇩🇪", "ünïcödé – “quotes” – 中文", "\u{FEFF}bom inside", "\u{10FFFF}",
            String(repeating: "long and \"escaped\" ", count: 500),
        ]
        for string in strings {
            let message = WAMPMessage.event(.init(subscription: 1, publication: 2, details: [string: .string(string)], payload: .arguments([.string(string)], [:])))
            #expect(try decode(encode(message)) == message, "\(string.debugDescription)")
        }
    }

    @Test("a raw U+FEFF inside incoming strings is kept (Foundation alone drops it at a string's start)")
    func byteOrderMarkInsideStringsIsKept() throws {
        let text = "[\"\u{FEFF}a\", \"\\n\u{FEFF}b\", \"c\u{FEFF}\", {\"\u{FEFF}k\": \"\u{FEFF}\"}]"
        #expect(try decodeValue(text) == ["\u{FEFF}a", "\n\u{FEFF}b", "c\u{FEFF}", ["\u{FEFF}k": "\u{FEFF}"]])
    }

    @Test("a UTF-8 byte order mark before the message is skipped")
    func leadingByteOrderMarkIsSkipped() throws {
        #expect(try decode("\u{FEFF}[17,1,2]") == .published(.init(request: 1, publication: 2)))
    }

    @Test("U+0000 inside an ordinary string is escaped and stays a string")
    func nulInsideStringStaysString() throws {
        let value = WAMPValue.string("a\u{0}b")
        #expect(try encodeValue(value) == #""a\u0000b""#)
        #expect(try decodeValue(#""a\u0000b""#) == value)
        // In a message, and as a dict key (keys are never binary, so a leading U+0000 is fine).
        let message = WAMPMessage.call(.init(request: 1, procedure: "p", payload: .arguments([value], ["\u{0}key": value])))
        #expect(try encode(message) == #"[48,1,{},"p",["a\u0000b"],{"\u0000key":"a\u0000b"}]"#)
        #expect(try decode(encode(message)) == message)
    }

    @Test("a string that starts with U+0000 cannot be serialized: it would read back as binary")
    func stringStartingWithNulIsUnsupported() throws {
        let error = #expect(throws: WAMPSerializationError.self) { try encodeValue(.string("\u{0}AQID")) }
        #expect(error?.code == .unsupportedValue)
    }

    @Test("binary is written as \"\\u0000\" + padded base64")
    func binaryIsWrittenAsNulPlusBase64() throws {
        #expect(try encodeValue(.binary([])) == #""\u0000""#)
        #expect(try encodeValue(.binary([0x66])) == #""\u0000Zg==""#)
        #expect(try encodeValue(.binary([0x66, 0x6F])) == #""\u0000Zm8=""#)
        #expect(try encodeValue(.binary([0x66, 0x6F, 0x6F])) == #""\u0000Zm9v""#)
        #expect(try encodeValue(.binary([0x00, 0x01, 0x02, 0xFF, 0xFE, 0xFD])) == #""\u0000AAEC//79""#)
        let passthru = WAMPMessage.publish(.init(request: 1, options: ["enc_algo": "cryptobox"], topic: "t", payload: .transparent([0xFB, 0xFF])))
        #expect(try encode(passthru) == #"[16,1,{"enc_algo":"cryptobox"},"t","\u0000+/8="]"#)
    }

    @Test("a string of U+0000 + base64 is read as binary")
    func nulPlusBase64IsReadAsBinary() throws {
        #expect(try decodeValue(#""\u0000""#) == .binary([]))
        #expect(try decodeValue(#""\u0000Zg==""#) == .binary([0x66]))
        #expect(try decodeValue(#""\u0000Zm8=""#) == .binary([0x66, 0x6F]))
        #expect(try decodeValue(#""\u0000Zm9v""#) == .binary([0x66, 0x6F, 0x6F]))
        #expect(try decodeValue(#""\u0000+/8=""#) == .binary([0xFB, 0xFF]))
        let event = try decode(#"[36,1,2,{"enc_algo":"cryptobox"},"\u0000AAEC"]"#)
        #expect(event == .event(.init(subscription: 1, publication: 2, details: ["enc_algo": "cryptobox"], payload: .transparent([0, 1, 2]))))
    }

    @Test("binary values of every length up to 64 bytes survive a round trip")
    func binaryRoundTrips() throws {
        var generator = SplitMix64(seed: 7)
        for length in 0 ... 64 {
            let bytes = (0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            let value = WAMPValue.list([.binary(bytes), .dict(["b": .binary(bytes)])])
            #expect(try decodeValue(encodeValue(value)) == value, "length \(length)")
        }
    }

    @Test("output is compact JSON")
    func outputIsCompact() throws {
        let event = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments(["hello", 42, 3.14], ["k": "v"])))
        #expect(try encode(event) == #"[36,1,2,{},["hello",42,3.14],{"k":"v"}]"#)
        #expect(try encode(.goodbye(.init())) == #"[6,{},"wamp.close.normal"]"#)
        #expect(try encodeValue([nil, true, false, [], [:]]) == "[null,true,false,[],{}]")
    }

    @Test("serialize appends after the buffer's writer index")
    func serializeAppends() throws {
        var buffer = ByteBuffer(string: "xy")
        try json.serialize(.published(.init(request: 1, publication: 2)), into: &buffer)
        #expect(String(buffer: buffer) == "xy[17,1,2]")
    }

    @Test("whitespace around and inside the JSON is accepted")
    func whitespaceIsAccepted() throws {
        #expect(try decode(" \n\t[17 ,\r\n 1 , 2 ]\n ") == .published(.init(request: 1, publication: 2)))
    }

    @Test("a message type this library does not know is kept as .unknown, not refused")
    func unknownMessageTypeIsKept() throws {
        let message = try decode(#"[1000, "x", {"a": 1}, [true]]"#)
        #expect(message == .unknown(.init(type: WAMPMessageType(rawValue: 1000), arguments: ["x", ["a": 1], [true]])))
        #expect(try encode(message) == #"[1000,"x",{"a":1},[true]]"#)
    }

    @Test("the serializer identifies itself as JSON text")
    func identity() {
        #expect(json.id == .json)
        #expect(json.id.rawSocketValue == 1)
        #expect(!json.isBinary)
        #expect(json.configuration == .init(maxNestingDepth: 64, maxInputLength: 16 * 1024 * 1024))
    }
}
