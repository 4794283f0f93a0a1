import NIOCore
import RawSocketTransport
import Testing

/// `RRRR XTTT | L23..L16 | L15..L8 | L7..L0`.
@Suite("Frame header")
struct FrameHeaderTests {
    static let max = RawSocketFrameHeader.maxPayloadLength

    @Test("types 0, 1, 2 are the low three bits of the first octet", arguments: [
        (RawSocketFrameType.message, UInt8(0)), (.ping, 1), (.pong, 2),
    ])
    func definedTypesEncodeAndParse(type: RawSocketFrameType, wire: UInt8) throws {
        #expect(type.networkRepresentation == wire)
        #expect(type.isDefined)
        let header = RawSocketFrameHeader(type: type, length: 0x01_02_03)
        #expect(header.encoded == UInt32(wire) << 24 | 0x01_02_03)
        let parsed = try RawSocketFrameHeader(parsing: header.encoded, maxLength: Self.max)
        #expect(parsed == header)
    }

    @Test("the header is written as four big-endian octets")
    func writeProducesFourBigEndianOctets() {
        var buffer = ByteBuffer()
        RawSocketFrameHeader(type: .pong, length: 0xAB_CD_EF).write(to: &buffer)
        #expect(bytes(buffer) == [0x02, 0xAB, 0xCD, 0xEF])
        #expect(RawSocketFrameHeader.size == 4)
    }

    @Test("reserved frame types 3 ... 7 are rejected", arguments: UInt8(3) ... 7)
    func reservedFrameTypesAreRejected(type: UInt8) {
        let frameType = RawSocketFrameType(encoded: type)!
        #expect(!frameType.isDefined)
        expectError(.reservedFrameType) {
            try RawSocketFrameHeader(parsing: UInt32(type) << 24 | 10, maxLength: Self.max)
        }
    }

    @Test("a frame type above 7 is not representable")
    func frameTypeWiderThanThreeBitsIsNotRepresentable() {
        #expect(RawSocketFrameType(encoded: 8) == nil)
        #expect(RawSocketFrameType(encoded: 7) != nil)
    }

    @Test("reserved bits RRRR of the first octet are rejected", arguments: [UInt8(0x10), 0x20, 0x40, 0x80, 0xF0])
    func reservedBitsAreRejected(bits: UInt8) {
        for type in UInt8(0) ... 2 {
            expectError(.reservedBitsSet) {
                try RawSocketFrameHeader(parsing: UInt32(bits | type) << 24 | 4, maxLength: Self.max)
            }
        }
    }

    @Test("lengths use all 24 bits", arguments: [0, 1, 255, 256, 511, 512, 65_535, 65_536, 0xFF_FFFF])
    func lengthsRoundTrip(length: Int) throws {
        let header = RawSocketFrameHeader(type: .message, length: length)
        #expect(header.encoded == UInt32(length))
        #expect(try RawSocketFrameHeader(parsing: header.encoded, maxLength: Self.max).length == length)
    }

    @Test("2^24 - 1 is 0x00FFFFFF, without the X bit")
    func largestTwentyFourBitLengthHasNoXBit() throws {
        let header = RawSocketFrameHeader(type: .message, length: (1 << 24) - 1)
        #expect(header.encoded == 0x00FF_FFFF)
        #expect(octets(header.encoded) == [0x00, 0xFF, 0xFF, 0xFF])
        let parsed = try RawSocketFrameHeader(parsing: 0x00FF_FFFF, maxLength: Self.max)
        #expect(parsed.type == .message)
        #expect(parsed.length == 0xFF_FFFF)
    }

    @Test("exactly 2^24 sets the X bit with all 24 length bits zero")
    func exactlyTwoToTheTwentyFourSetsXBit() {
        #expect(RawSocketFrameHeader(type: .message, length: 1 << 24).encoded == 0x0800_0000)
        #expect(RawSocketFrameHeader(type: .ping, length: 1 << 24).encoded == 0x0900_0000)
        #expect(RawSocketFrameHeader(type: .pong, length: 1 << 24).encoded == 0x0A00_0000)
    }

    @Test("the X bit is accepted when the local limit is 2^24")
    func xBitAcceptedWithLimitTwoToTheTwentyFour() throws {
        let parsed = try RawSocketFrameHeader(parsing: 0x0800_0000, maxLength: 1 << 24)
        #expect(parsed == RawSocketFrameHeader(type: .message, length: 1 << 24))
        let ping = try RawSocketFrameHeader(parsing: 0x0900_0000, maxLength: 1 << 24)
        #expect(ping == RawSocketFrameHeader(type: .ping, length: 1 << 24))
    }

    @Test("the X bit is refused as too large when the local limit is below 2^24")
    func xBitRefusedBelowTwoToTheTwentyFour() {
        expectError(.frameTooLarge) { try RawSocketFrameHeader(parsing: 0x0800_0000, maxLength: 1 << 23) }
        expectError(.frameTooLarge) { try RawSocketFrameHeader(parsing: 0x0800_0000, maxLength: 512) }
    }

    @Test("the X bit with non-zero low length bits is rejected", arguments: [UInt32(0x0800_0001), 0x0880_0000, 0x08FF_FFFF, 0x0900_0100])
    func xBitWithLowBitsIsRejected(word: UInt32) {
        expectError(.reservedBitsSet) { try RawSocketFrameHeader(parsing: word, maxLength: 1 << 24) }
    }

    @Test("a length over the local limit is refused", arguments: [512, 1024, 1 << 16, 1 << 23])
    func lengthOverLimitIsRefused(limit: Int) throws {
        #expect(try RawSocketFrameHeader(parsing: UInt32(limit), maxLength: limit).length == limit)
        for type in UInt32(0) ... 2 {
            let error = expectError(.frameTooLarge) {
                try RawSocketFrameHeader(parsing: type << 24 | UInt32(limit + 1), maxLength: limit)
            }
            #expect(error?.message.contains("\(limit + 1)") == true)
        }
    }

    @Test("frame types describe themselves")
    func frameTypeDescriptions() {
        #expect(RawSocketFrameType.message.description == "MESSAGE")
        #expect(RawSocketFrameType.ping.description == "PING")
        #expect(RawSocketFrameType.pong.description == "PONG")
        #expect(RawSocketFrameType(encoded: 5)!.description == "RESERVED(5)")
    }
}
