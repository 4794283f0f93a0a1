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

    struct IntegerCase: Sendable, CustomTestStringConvertible {
        var name: String
        var hex: String
        var value: WAMPValue
        var testDescription: String { "\(name) \(hex)" }
    }

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
        let value = try decodeHeldValue(bytes(testCase.hex))
        #expect(value == testCase.value)
        // .integer and .unsignedInteger compare equal for equal numbers; the case matters too.
        switch (value, testCase.value) {
        case (.integer?, .integer), (.unsignedInteger?, .unsignedInteger): break
        default: Issue.record("\(testCase.hex) decoded to \(String(describing: value)), expected \(testCase.value)")
        }
    }

    @Test("UInt64.max survives a round trip exactly, as uint64")
    func uint64MaxSurvivesRoundTrip() throws {
        let message = WAMPMessage.event(.init(
            subscription: 1, publication: 2, payload: .arguments([.unsignedInteger(.max)], [:])))
        let encoded: [UInt8] = try serializer.serialize(message)
        #expect(hex(encoded) == "9524010280" + "91cfffffffffffffffff")
        let decoded = try serializer.deserialize(encoded)
        #expect(decoded == message)
        guard case .event(let event) = decoded, case .unsignedInteger(let v) = event.args.first else {
            Issue.record("expected an EVENT with one unsigned integer, got \(decoded)")
            return
        }
        #expect(v == .max)
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
        for (value, expected) in cases {
            var buffer = ByteBuffer()
            try serializer.serializeValue(value, into: &buffer)
            #expect(hex(buffer.readableBytesView) == expected, "\(value)")
        }
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
        var buffer = ByteBuffer(bytes: [0xAA])
        let writeError = #expect(throws: WAMPSerializationError.self) {
            try shallow.serialize(tooDeep, into: &buffer)
        }
        #expect(writeError?.code == .nestingTooDeep)
        #expect(Array(buffer.readableBytesView) == [0xAA], "a failed serialize leaves the buffer as it was")
    }

    @Test("serialize appends after the buffer's writer index and keeps what was there")
    func serializeAppends() throws {
        var buffer = ByteBuffer(bytes: [0x01, 0x02])
        try serializer.serialize(.goodbye(.init()), into: &buffer)
        #expect(hex(buffer.readableBytesView) == "0102" + "930680b177616d702e636c6f73652e6e6f726d616c")
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try serializer.deserialize(buffer) == .goodbye(.init()))
    }

    @Test("A message larger than the buffer's free space is written whole, after what was there")
    func largeMessageIsWrittenWhole() throws {
        let payload = (0 ..< 100_000).map { UInt8(truncatingIfNeeded: $0) }
        let message = WAMPMessage.publish(.init(request: 1, topic: "t", payload: .transparent(payload)))
        for initialCapacity in [0, 16, 512, 100_020, 200_000] {
            var buffer = ByteBufferAllocator().buffer(capacity: initialCapacity)
            buffer.writeBytes([0xAB, 0xCD])
            try serializer.serialize(message, into: &buffer)
            let written = Array(buffer.readableBytesView)
            // ab cd, then [16, 1, {}, "t", bin32 of 100000 bytes]
            #expect(hex(written.prefix(13)) == "abcd" + "951001" + "80" + "a174" + "c6000186a0", "capacity \(initialCapacity)")
            let bodyMatches = written.dropFirst(13).elementsEqual(payload)
            #expect(bodyMatches, "capacity \(initialCapacity)")
            buffer.moveReaderIndex(forwardBy: 2)
            #expect(try serializer.deserialize(buffer) == message)
        }
    }

    @Test("deserialize reads only the readable bytes of a slice")
    func deserializeReadsReadableBytesOnly() throws {
        var buffer = ByteBuffer(bytes: bytes("ffff 9223 01 eeee"))
        buffer.moveReaderIndex(forwardBy: 2)
        let slice = buffer.getSlice(at: buffer.readerIndex, length: 3)!
        #expect(try serializer.deserialize(slice) == .unsubscribed(.init(request: 1)))
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
        let serializer = self.serializer
        let message = WAMPMessage.event(.init(
            subscription: 9_823_526, publication: 112_233_445_566, details: ["topic": "a.b"],
            payload: .arguments(["Hello", 1, 2.5, ["x": true]], ["k": .binary([1, 2, 3])])))
        let encoded: [UInt8] = try serializer.serialize(message)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0 ..< 4 {
                group.addTask {
                    for _ in 0 ..< 500 {
                        let again: [UInt8] = try serializer.serialize(try serializer.deserialize(encoded))
                        guard try serializer.deserialize(again) == message else { return false }
                    }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
    }
}
