import MsgPackSerializer
import NIOCore
import SerializerTestSupport
import Testing
import Transport

/// What MessagePack itself brings: every integer width, float32, str versus bin, nil,
/// booleans, nesting; and the smallest encodings on the way out.
@Suite("MessagePack format")
struct MessagePackFormatTests {
    let serializer = WAMPMsgPackSerializer()

    @Test("The serializer is the binary msgpack plugin")
    func identifiesAsBinaryMsgPack() {
        #expect(serializer.id == .msgpack)
        #expect(serializer.id.rawSocketValue == 2)
        #expect(serializer.isBinary)
    }

    typealias IntegerCase = FormatCheck.IntegerCase

    static let integerCases: [IntegerCase] = [
        .init(name: "positive fixint 0", hex: "00", value: .integer(0)),
        .init(name: "positive fixint 127", hex: "7f", value: .integer(127)),
        .init(name: "uint8", hex: "cc ff", value: .integer(255)),
        .init(name: "uint16", hex: "cd ffff", value: .integer(65535)),
        .init(name: "uint32", hex: "ce ffffffff", value: .integer(4_294_967_295)),
        .init(name: "uint64 small", hex: "cf 0000000000000001", value: .integer(1)),
        .init(name: "uint64 Int64.max", hex: "cf 7fffffffffffffff", value: .integer(Int64.max)),
        .init(name: "uint64 2^63", hex: "cf 8000000000000000", value: .unsignedInteger(1 << 63)),
        .init(name: "uint64 max", hex: "cf ffffffffffffffff", value: .unsignedInteger(UInt64.max)),
        .init(name: "negative fixint -1", hex: "ff", value: .integer(-1)),
        .init(name: "negative fixint -32", hex: "e0", value: .integer(-32)),
        .init(name: "int8 min", hex: "d0 80", value: .integer(-128)),
        .init(name: "int8 positive", hex: "d0 7f", value: .integer(127)),
        .init(name: "int16 min", hex: "d1 8000", value: .integer(-32768)),
        .init(name: "int32 min", hex: "d2 80000000", value: .integer(Int64(Int32.min))),
        .init(name: "int64 min", hex: "d3 8000000000000000", value: .integer(Int64.min)),
        .init(name: "int64 positive", hex: "d3 0000000000000005", value: .integer(5)),
    ]

    @Test("Every integer width decodes to the exact integer", arguments: integerCases)
    func everyIntegerWidthDecodes(_ testCase: IntegerCase) throws {
        FormatCheck.decodedExactly(try decodeHeldValue(bytes(testCase.hex)), testCase)
    }

    @Test("UInt64.max survives a round trip exactly, as uint64")
    func uint64MaxSurvivesRoundTrip() throws {
        try FormatCheck.uint64MaxRoundTrip(serializer, expectedHex: "9524010280" + "91cfffffffffffffffff")
    }

    @Test("Integers are written in their smallest encoding")
    func integersUseSmallestEncoding() throws {
        let cases: [(WAMPValue, String)] = [
            (0, "00"), (127, "7f"), (128, "cc80"), (255, "ccff"), (256, "cd0100"), (65535, "cdffff"),
            (65536, "ce00010000"), (4_294_967_296, "cf0000000100000000"),
            (-1, "ff"), (-32, "e0"), (-33, "d0df"), (-128, "d080"), (-129, "d1ff7f"),
            (-32769, "d2ffff7fff"), (.integer(Int64.min), "d38000000000000000"),
            (.integer(Int64.max), "cf7fffffffffffffff"), (.unsignedInteger(.max), "cfffffffffffffffff"),
        ]
        try FormatCheck.encodes(serializer, cases)
    }

    @Test("float32 and float64 both decode to .double; doubles are written as float64")
    func floatsDecodeToDouble() throws {
        #expect(try decodeHeldValue(bytes("ca 3fc00000")) == .double(1.5))
        #expect(try decodeHeldValue(bytes("cb 3ff8000000000000")) == .double(1.5))
        #expect(try decodeHeldValue(bytes("ca 7f800000")) == .double(.infinity))
        let nan = try decodeHeldValue(bytes("cb 7ff8000000000000"))
        #expect(nan?.doubleValue?.isNaN == true)
        // 1.0 stays a double, not the integer 1.
        #expect(try decodeHeldValue(bytes("cb 3ff0000000000000")).map { value -> Bool in
            if case .double = value { return true } else { return false }
        } == true)

        var buffer = ByteBuffer()
        try serializer.serializeValue(.double(1.5), into: &buffer)
        #expect(hex(buffer.readableBytesView) == "cb3ff8000000000000")
    }

    @Test("str decodes to .string and bin to .binary, and they never mix")
    func strAndBinStayApart() throws {
        #expect(try decodeHeldValue(bytes("a3 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("d9 03 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("da 0003 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("db 00000003 616263")) == .string("abc"))
        #expect(try decodeHeldValue(bytes("a0")) == .string(""))
        #expect(try decodeHeldValue(bytes("a4 f09f9880")) == .string("😀"))
        #expect(try decodeHeldValue(bytes("c4 03 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("c5 0003 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("c6 00000003 616263")) == .binary([0x61, 0x62, 0x63]))
        #expect(try decodeHeldValue(bytes("c4 00")) == .binary([]))
        #expect(try decodeHeldValue(bytes("a3 616263")) != .binary([0x61, 0x62, 0x63]))

        var buffer = ByteBuffer()
        try serializer.serializeValue(.list([.string("abc"), .binary([1, 2]), .string(String(repeating: "x", count: 32))]), into: &buffer)
        #expect(hex(buffer.readableBytesView) == "93a3616263c4020102d920" + String(repeating: "78", count: 32))
    }

    @Test("nil decodes to .null, and booleans never equal 0 or 1")
    func nilAndBooleans() throws {
        #expect(try decodeHeldValue(bytes("c0")) == .null)
        let yes = try decodeHeldValue(bytes("c3"))
        let no = try decodeHeldValue(bytes("c2"))
        #expect(yes == .bool(true))
        #expect(no == .bool(false))
        #expect(yes != .integer(1))
        #expect(no != .integer(0))
        #expect(try decodeHeldValue(bytes("01")) != .bool(true))
        #expect(try decodeHeldValue(bytes("00")) != .bool(false))

        var buffer = ByteBuffer()
        try serializer.serializeValue([true, false, nil, 1, 0], into: &buffer)
        #expect(hex(buffer.readableBytesView) == "95c3c2c00100")
    }

    @Test("Nested lists and dicts of every header size decode")
    func nestedContainersDecode() throws {
        #expect(try decodeHeldValue(bytes("92 81 a1 61 91 01 c0")) == [["a": [1]], nil])
        #expect(try decodeHeldValue(bytes("dc 0002 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("dd 00000002 01 02")) == [1, 2])
        #expect(try decodeHeldValue(bytes("de 0001 a1 6b 90")) == ["k": []])
        #expect(try decodeHeldValue(bytes("df 00000001 a1 6b 80")) == ["k": [:]])
        // A repeated key keeps its last value.
        #expect(try decodeHeldValue(bytes("82 a1 6b 01 a1 6b 02")) == ["k": 2])
    }

    @Test("A message's list header is the smallest for its length, unknown messages of 16 elements and more included",
          arguments: [0, 1, 14, 15, 16, 40])
    func messageListHeaderFitsItsLength(arguments count: Int) throws {
        let message = WAMPMessage.unknown(.init(
            type: WAMPMessageType(rawValue: 300), arguments: (0 ..< count).map { .integer(Int64($0)) }))
        var buffer = ByteBuffer()
        try serializer.serialize(message, into: &buffer)
        let length = count + 1
        let header: [UInt8] = length < 16 ? [0x90 | UInt8(length)] : [0xdc, 0, UInt8(length)]
        #expect(Array(buffer.readableBytesView.prefix(header.count)) == header)
        #expect(try serializer.deserialize(buffer) == message)
    }

    @Test("Every known message type is written with a one-octet list header that counts its elements")
    func knownMessagesHaveFixarrayHeaders() throws {
        let messages: [WAMPMessage] = [
            .error(.init(requestType: .call, request: 1, details: ["a": 1], error: "com.example.error", payload: .arguments([1], ["k": 2]))),
            .publish(.init(request: 2, options: [:], topic: "com.example.topic", payload: .arguments([], ["k": 1]))),
            .call(.init(request: 3, procedure: "com.example.procedure")),
            .hello(.init(realm: "realm1", details: [:])),
        ]
        for message in messages {
            var buffer = ByteBuffer()
            try serializer.serialize(message, into: &buffer)
            #expect(buffer.readableBytesView.first == 0x90 | UInt8(message.elements.count))
            #expect(try serializer.deserialize(buffer) == message)
        }
    }

    @Test("Values larger than a read's first memory chunk decode, kept and serialized payloads alike")
    func valuesOutgrowingTheFirstZoneChunkDecode() throws {
        // msgpack-c needs 24 octets per list element and 48 per map entry: thousands of them
        // fill many of the zone's first 1 KiB chunks.
        let list = WAMPValue.list((0 ..< 2000).map { .integer(Int64($0)) })
        let dict = WAMPValue.dict(Dictionary(uniqueKeysWithValues: (0 ..< 50).map { ("key\($0)", WAMPValue.list([list, ["k": .integer(Int64($0))]])) }))
        let message = WAMPMessage.event(.init(
            subscription: 1, publication: 2, details: ["d": dict], payload: .arguments([list, dict], ["k": dict])))
        for serializer in [WAMPMsgPackSerializer(), keepingEveryPayloadSerialized] {
            var buffer = ByteBuffer()
            try serializer.serialize(message, into: &buffer)
            let decoded = try serializer.deserialize(buffer)
            #expect(decoded == message)
            #expect(decoded.payload?.decoded == message.payload)
        }
    }

    @Test("Lists and dicts up to msgpack-c's 32 levels decode; the 33rd level is refused")
    func nestingUpToMsgPackCLimitDecodes() throws {
        // [300, [[...[nil]...]]]: the message list is level 1, so 31 more arrays make 32.
        let deepest = try decodeHeldValue(nestedArrays(31))
        var value = deepest
        var levels = 1
        while case .list(let elements)? = value { levels += 1; value = elements.first }
        #expect(levels == 32)

        let error = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: nestedArrays(32)))
        }
        #expect(error?.code == .nestingTooDeep)
    }

    @Test("A lower nesting limit is enforced when reading and when writing")
    func configuredNestingLimitIsEnforced() throws {
        let shallow = WAMPMsgPackSerializer(configuration: .init(maxNestingDepth: 3))
        // [300, [[nil]]] has depth 3.
        #expect(try decodeHeldValue(nestedArrays(2), with: shallow) == [[nil]])
        let readError = #expect(throws: WAMPSerializationError.self) {
            try shallow.deserialize(unknownMessage(holding: nestedArrays(3)))
        }
        #expect(readError?.code == .nestingTooDeep)

        let tooDeep = WAMPMessage.event(.init(subscription: 1, publication: 1, details: ["a": ["b": [:]]]))
        #expect(BufferContract.failedSerializeLeavesBuffer(shallow, tooDeep) == .nestingTooDeep)
    }

    @Test("A configuration changed after the serializer was made applies to it, and not to an earlier copy")
    func configurationChangedLaterApplies() throws {
        var serializer = WAMPMsgPackSerializer()
        let copy = serializer
        serializer.configuration.maxNestingDepth = 3
        #expect(serializer.configuration.maxNestingDepth == 3)
        #expect(copy.configuration.maxNestingDepth == WAMPMsgPackSerializer.Configuration.defaultMaxNestingDepth)
        let error = #expect(throws: WAMPSerializationError.self) {
            try serializer.deserialize(unknownMessage(holding: nestedArrays(3)))
        }
        #expect(error?.code == .nestingTooDeep)
        #expect(try decodeHeldValue(nestedArrays(3), with: copy) == [[[nil]]])
    }

    @Test("serialize appends after the buffer's writer index and keeps what was there")
    func serializeAppends() throws {
        // [6, {}, "wamp.close.normal"]
        try BufferContract.serializeAppends(serializer, goodbyeHex: "930680b177616d702e636c6f73652e6e6f726d616c")
    }

    @Test("A message larger than the buffer's free space is written whole, after what was there")
    func largeMessageIsWrittenWhole() throws {
        // [16, 1, {}, "t", bin32 of 100000 bytes]
        try BufferContract.largeMessageIsWrittenWhole(serializer, headerHex: "951001" + "80" + "a174" + "c6000186a0")
    }

    @Test("deserialize reads only the readable bytes of a slice")
    func deserializeReadsReadableBytesOnly() throws {
        try BufferContract.readsReadableBytesOnly(serializer, messageHex: "9223" + "01", .unsubscribed(.init(request: 1)))
    }

    @Test("A passthru payload travels as bin and comes back byte for byte")
    func passthruPayloadIsBin() throws {
        let payload: [UInt8] = [0x00, 0xff, 0x80, 0x7f]
        let message = WAMPMessage.publish(.init(
            request: 1, options: ["enc_algo": "cryptobox"], topic: "t", payload: .transparent(payload)))
        let encoded: [UInt8] = try serializer.serialize(message)
        #expect(hex(encoded).hasSuffix("a174c40400ff807f"))
        #expect(try serializer.deserialize(encoded) == message)
    }

    @Test("One serializer decodes from many tasks at once")
    func concurrentUse() async throws {
        try await BufferContract.concurrentUse(serializer)
    }
}
