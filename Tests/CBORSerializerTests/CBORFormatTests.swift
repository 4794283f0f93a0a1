import CBORSerializer
import NIOCore
import SerializerTestSupport
import Testing
import Transport

/// What CBOR itself brings: every integer width and sign, float16/32/64, text versus byte
/// strings, null and undefined, indefinite lengths, nesting; and the smallest integer
/// encodings and float64 on the way out.
@Suite("CBOR format")
struct CBORFormatTests {
    let serializer = WAMPCBORSerializer()

    @Test("The serializer is the binary cbor plugin: RawSocket 3, wamp.2.cbor")
    func identifiesAsBinaryCBOR() {
        #expect(serializer.id == .cbor)
        #expect(serializer.id.rawSocketValue == 3)
        #expect(serializer.id.webSocketSubprotocol == "wamp.2.cbor")
        #expect(serializer.isBinary)
    }

    typealias IntegerCase = FormatCheck.IntegerCase

    static let integerCases: [IntegerCase] = [
        .init(name: "immediate 0", hex: "00", value: .integer(0)),
        .init(name: "immediate 23", hex: "17", value: .integer(23)),
        .init(name: "uint8", hex: "18 ff", value: .integer(255)),
        .init(name: "uint16", hex: "19 ffff", value: .integer(65535)),
        .init(name: "uint32", hex: "1a ffffffff", value: .integer(4_294_967_295)),
        .init(name: "uint64 small (not minimal)", hex: "1b 0000000000000001", value: .integer(1)),
        .init(name: "uint64 Int64.max", hex: "1b 7fffffffffffffff", value: .integer(Int64.max)),
        .init(name: "uint64 2^63", hex: "1b 8000000000000000", value: .unsignedInteger(1 << 63)),
        .init(name: "uint64 max", hex: "1b ffffffffffffffff", value: .unsignedInteger(UInt64.max)),
        .init(name: "immediate -1", hex: "20", value: .integer(-1)),
        .init(name: "immediate -24", hex: "37", value: .integer(-24)),
        .init(name: "negint8 -256", hex: "38 ff", value: .integer(-256)),
        .init(name: "negint16 -65536", hex: "39 ffff", value: .integer(-65536)),
        .init(name: "negint32 -2^32", hex: "3a ffffffff", value: .integer(-4_294_967_296)),
        .init(name: "negint64 -2", hex: "3b 0000000000000001", value: .integer(-2)),
        .init(name: "negint64 Int64.min", hex: "3b 7fffffffffffffff", value: .integer(Int64.min)),
    ]

    @Test("Every integer width and sign decodes to the exact integer", arguments: integerCases)
    func everyIntegerWidthDecodes(_ testCase: IntegerCase) throws {
        FormatCheck.decodedExactly(try decodeHeldValue(bytes(testCase.hex)), testCase)
    }

    @Test("Negative integers below Int64.min (down to -2^64) read as the nearest double")
    func negativeIntegersBelowInt64MinReadAsDouble() throws {
        // -1 - 2^63 and -1 - (2^64 - 1) = -2^64: no WAMPValue integer holds them.
        #expect(try decodeHeldValue(bytes("3b 8000000000000000")) == .double(-9_223_372_036_854_775_808.0))
        #expect(try decodeHeldValue(bytes("3b ffffffffffffffff")) == .double(-18_446_744_073_709_551_616.0))
    }

    @Test("UInt64.max survives a round trip exactly")
    func uint64MaxSurvivesRoundTrip() throws {
        try FormatCheck.uint64MaxRoundTrip(serializer, expectedHex: "8518240102a0" + "811bffffffffffffffff")
    }

    @Test("Integers are written in their smallest encoding")
    func integersUseSmallestEncoding() throws {
        let cases: [(WAMPValue, String)] = [
            (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
            (65536, "1a00010000"), (4_294_967_296, "1b0000000100000000"),
            (-1, "20"), (-24, "37"), (-25, "3818"), (-256, "38ff"), (-257, "390100"),
            (-65537, "3a00010000"), (.integer(Int64.min), "3b7fffffffffffffff"),
            (.integer(Int64.max), "1b7fffffffffffffff"), (.unsignedInteger(.max), "1bffffffffffffffff"),
        ]
        try FormatCheck.encodes(serializer, cases)
    }

    @Test("float16, float32 and float64 decode to .double; doubles are written as float64")
    func floatsDecodeToDouble() throws {
        let cases: [(String, Double)] = [
            ("f9 3c00", 1.0), ("f9 3e00", 1.5), ("f9 c400", -4.0), ("f9 7bff", 65504.0),
            ("f9 0001", 5.960464477539063e-8), ("f9 8000", -0.0), ("f9 7c00", .infinity), ("f9 fc00", -.infinity),
            ("fa 47c35000", 100_000.0), ("fa 7f7fffff", Double(Float.greatestFiniteMagnitude)),
            ("fa 3fc00000", 1.5), ("fb 3ff199999999999a", 1.1), ("fb 3ff0000000000000", 1.0),
        ]
        for (input, expected) in cases {
            let value = try decodeHeldValue(bytes(input))
            guard case .double(let double)? = value else {
                Issue.record("\(input) decoded to \(String(describing: value)), expected the double \(expected)")
                continue
            }
            #expect(double == expected && double.sign == expected.sign, "\(input)")
        }
        #expect(try decodeHeldValue(bytes("f9 7e00"))?.doubleValue?.isNaN == true)
        #expect(try decodeHeldValue(bytes("fa 7fc00000"))?.doubleValue?.isNaN == true)

        var buffer = ByteBuffer()
        try serializer.serializeValue([1.5, 1.0, -0.0], into: &buffer)
        #expect(hex(buffer.readableBytesView) == "83" + "fb3ff8000000000000" + "fb3ff0000000000000" + "fb8000000000000000")
    }

    @Test("Text strings decode to .string and byte strings to .binary, and they never mix")
    func textAndByteStringsStayApart() throws {
        #expect(try decodeHeldValue(bytes("63 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("78 03 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("79 0003 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("7a 00000003 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("7b 0000000000000003 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("60")) == .string(""))
        #expect(try decodeHeldValue(bytes("64 f09f9880")) == .string("😀"))
        #expect(try decodeHeldValue(bytes("43 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("58 03 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("5b 0000000000000003 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("40")) == .binary([]))
        #expect(try decodeHeldValue(bytes("63 616263")) != .binary([0x61, 0x62, 0x63]))

        var buffer = ByteBuffer()
        try serializer.serializeValue(.list([.string("abc"), .binary([1, 2]), .string(String(repeating: "x", count: 24))]), into: &buffer)
        #expect(hex(buffer.readableBytesView) == "83636162634201027818" + String(repeating: "78", count: 24))
    }

    @Test("null and undefined decode to .null, and booleans never equal 0 or 1")
    func nullUndefinedAndBooleans() throws {
        #expect(try decodeHeldValue(bytes("f6")) == .null)
        #expect(try decodeHeldValue(bytes("f7")) == .null)
        let yes = try decodeHeldValue(bytes("f5"))
        let no = try decodeHeldValue(bytes("f4"))
        #expect(yes == .bool(true))
        #expect(no == .bool(false))
        #expect(yes != .integer(1))
        #expect(no != .integer(0))
        #expect(try decodeHeldValue(bytes("01")) != .bool(true))

        var buffer = ByteBuffer()
        try serializer.serializeValue([true, false, nil, 1, 0], into: &buffer)
        #expect(hex(buffer.readableBytesView) == "85f5f4f60100")
    }

    @Test("Indefinite-length byte strings, text strings, arrays and maps decode")
    func indefiniteLengthItemsDecode() throws {
        #expect(try decodeHeldValue(bytes("5f 42 0102 43 030405 ff")) == .binary([1, 2, 3, 4, 5]))
        #expect(try decodeHeldValue(bytes("5f ff")) == .binary([]))
        #expect(try decodeHeldValue(bytes("7f 65 7374726561 64 6d696e67 ff")) == .string("streaming"))
        #expect(try decodeHeldValue(bytes("7f 60 ff")) == .string(""))
        #expect(try decodeHeldValue(bytes("9f ff")) == [])
        #expect(try decodeHeldValue(bytes("9f 01 82 02 03 9f 04 05 ff ff")) == [1, [2, 3], [4, 5]])
        #expect(try decodeHeldValue(bytes("83 01 9f 02 03 ff 82 04 05")) == [1, [2, 3], [4, 5]])
        #expect(try decodeHeldValue(bytes("bf 61 61 01 61 62 9f 02 03 ff ff")) == ["a": 1, "b": [2, 3]])
        #expect(try decodeHeldValue(bytes("bf ff")) == [:])
        // An indefinite-length text string is a valid key.
        #expect(try decodeHeldValue(bytes("bf 7f 61 61 61 62 ff 01 ff")) == ["ab": 1])
        // A whole message of indefinite length: [35, 7] (UNSUBSCRIBED).
        #expect(try serializer.deserialize(bytes("9f 18 23 07 ff")) == .unsubscribed(.init(request: 7)))
    }

    @Test("Nested lists and dicts of every header size decode")
    func nestedContainersDecode() throws {
        #expect(try decodeHeldValue(bytes("82 a1 61 61 81 01 f6")) == [["a": [1]], nil])
        #expect(try decodeHeldValue(bytes("98 02 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("99 0002 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("9a 00000002 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("9b 0000000000000002 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("b8 01 61 6b 80")) == ["k": []])
        #expect(try decodeHeldValue(bytes("ba 00000001 61 6b a0")) == ["k": [:]])
        #expect(try decodeHeldValue(bytes("bb 0000000000000001 61 6b a0")) == ["k": [:]])
        // A repeated key keeps its last value.
        #expect(try decodeHeldValue(bytes("a2 61 6b 01 61 6b 02")) == ["k": 2])
    }

    @Test("Tags are refused, whatever their number", arguments: [
        "c1 1a 514b67b0",  // tag 1, epoch time
        "c2 49 010000000000000000",  // tag 2, bignum 2^64
        "c3 49 010000000000000000",  // tag 3, negative bignum
        "c6 00",  // tag 6 (libcbor 0.8 refuses it itself)
        "d8 20 63 616263",  // tag 32, URI
        "d9 d9f7 80",  // tag 55799, self-described CBOR
        "db 0000000100000000 00",  // a 64-bit tag number
    ])
    func tagsAreRefused(_ input: String) {
        let error = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: bytes(input)))
        }
        #expect(error?.code == .unsupportedType, "\(String(describing: error))")
        #expect(error?.offset == 4, "the tag's offset")
    }

    @Test("Lists and dicts up to 64 levels decode by default; the 65th level is refused")
    func nestingUpToTheDefaultLimitDecodes() throws {
        #expect(WAMPCBORSerializer.Configuration.defaultMaxNestingDepth == 64)
        // [300, [[...[null]...]]]: the message list is level 1, so 63 more arrays make 64.
        var value = try decodeHeldValue(nestedArrays(63))
        var levels = 1
        while case .list(let elements)? = value { levels += 1; value = elements.first }
        #expect(levels == 64)

        let error = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: nestedArrays(64)))
        }
        #expect(error?.code == .nestingTooDeep)
        #expect(error?.offset == 4 + 63, "refused at the header that goes too deep")
    }

    @Test("A lower nesting limit is enforced when reading and when writing")
    func configuredNestingLimitIsEnforced() throws {
        let shallow = WAMPCBORSerializer(configuration: .init(maxNestingDepth: 3))
        // [300, [[null]]] has depth 3.
        #expect(try decodeHeldValue(nestedArrays(2), with: shallow) == [[nil]])
        let readError = #expect(throws: WAMPSerializationError.self) {
            try shallow.deserialize(unknownMessage(holding: nestedArrays(3)))
        }
        #expect(readError?.code == .nestingTooDeep)
        // An empty dict is a level too.
        let emptyError = #expect(throws: WAMPSerializationError.self) {
            try shallow.deserialize(unknownMessage(holding: bytes("81 81 a0")))
        }
        #expect(emptyError?.code == .nestingTooDeep)

        let tooDeep = WAMPMessage.event(.init(subscription: 1, publication: 1, details: ["a": ["b": [:]]]))
        #expect(BufferContract.failedSerializeLeavesBuffer(shallow, tooDeep) == .nestingTooDeep)
    }

    @Test("serialize appends after the buffer's writer index and keeps what was there")
    func serializeAppends() throws {
        // [6, {}, "wamp.close.normal"]
        try BufferContract.serializeAppends(serializer, goodbyeHex: "8306a07177616d702e636c6f73652e6e6f726d616c")
    }

    @Test("A message larger than the buffer's free space is written whole, after what was there")
    func largeMessageIsWrittenWhole() throws {
        // [16, 1, {}, "t", a byte string of 100000 bytes]
        try BufferContract.largeMessageIsWrittenWhole(serializer, headerHex: "851001" + "a0" + "6174" + "5a000186a0")
    }

    @Test("deserialize reads only the readable bytes of a slice")
    func deserializeReadsReadableBytesOnly() throws {
        try BufferContract.readsReadableBytesOnly(serializer, messageHex: "821823" + "01", .unsubscribed(.init(request: 1)))
    }

    @Test("A passthru payload travels as a byte string and comes back byte for byte")
    func passthruPayloadIsByteString() throws {
        let payload: [UInt8] = [0x00, 0xff, 0x80, 0x7f]
        let message = WAMPMessage.publish(.init(
            request: 1, options: ["enc_algo": "cryptobox"], topic: "t", payload: .transparent(payload)))
        let encoded: [UInt8] = try serializer.serialize(message)
        #expect(hex(encoded).hasSuffix("6174" + "4400ff807f"))
        #expect(try serializer.deserialize(encoded) == message)
    }

    @Test("One serializer encodes and decodes from many tasks at once")
    func concurrentUse() async throws {
        try await BufferContract.concurrentUse(serializer)
    }
}
