import RawSocketTransport
import Testing

/// `0x7F | LLLL SSSS | 0x00 | 0x00` both ways; `0x7F | EEEE 0000 | 0 | 0` to refuse.
@Suite("Handshake")
struct HandshakeTests {
    typealias Request = RawSocketHandshake.Request
    typealias Reply = RawSocketHandshake.Reply

    static let allLengths = (0 ... 15).map { 1 << (9 + $0) }

    // MARK: Request encoding

    @Test("a request is 0x7F, LLLL SSSS, 0, 0")
    func requestEncoding() {
        #expect(octets(Request(maxLength: 512, serializer: 1).encoded) == [0x7F, 0x01, 0x00, 0x00])
        #expect(octets(Request(maxLength: 512, serializer: 2).encoded) == [0x7F, 0x02, 0x00, 0x00])
        #expect(octets(Request(maxLength: 1 << 24, serializer: 1).encoded) == [0x7F, 0xF1, 0x00, 0x00])
        #expect(octets(Request(maxLength: 1 << 24, serializer: 2).encoded) == [0x7F, 0xF2, 0x00, 0x00])
        #expect(octets(Request(maxLength: 1 << 16, serializer: 2).encoded) == [0x7F, 0x72, 0x00, 0x00])
    }

    @Test("every announceable length encodes as 2^(9+L) and parses back", arguments: allLengths)
    func requestRoundTripsEveryLength(length: Int) throws {
        for serializer in UInt8(1) ... 15 {
            let request = Request(maxLength: length, serializer: serializer)
            let exponent = UInt8(length.trailingZeroBitCount - 9)
            #expect(octets(request.encoded) == [0x7F, exponent << 4 | serializer, 0, 0])
            #expect(try Request.parse(request.encoded) == .request(request))
        }
    }

    @Test("announceable lengths are the powers of two from 512 to 2^24")
    func validMaxLengths() {
        for length in Self.allLengths { #expect(RawSocketHandshake.isValidMaxLength(length)) }
        for length in [0, -512, 1, 256, 511, 513, 1000, 3 << 9, 1 << 25, (1 << 24) - 1, (1 << 24) + 1] {
            #expect(!RawSocketHandshake.isValidMaxLength(length), "\(length)")
        }
        #expect(RawSocketHandshake.minimumMaxLength == 512)
        #expect(RawSocketHandshake.maximumMaxLength == 1 << 24)
    }

    // MARK: Request parsing (server side)

    @Test("a request with a bad magic octet throws badMagic", arguments: [UInt32(0x7E01_0000), 0x0001_0000, 0xFF01_0000, 0x0000_0000])
    func requestWithBadMagicThrows(word: UInt32) {
        expectError(.badMagic) { try Request.parse(word) }
    }

    @Test("a request with reserved octets set is refused with code 3", arguments: [UInt32(0x7F01_0100), 0x7F01_0001, 0x7FF2_FFFF])
    func requestWithReservedOctetsIsRefusedWithCode3(word: UInt32) throws {
        guard case .refuse(let code, _) = try Request.parse(word) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(code == .reservedBitsUsed)
        #expect(code.networkRepresentation == 3)
    }

    @Test("a request for serializer 0 is refused with code 1", arguments: [UInt32(0x7F00_0000), 0x7FF0_0000])
    func requestForSerializerZeroIsRefusedWithCode1(word: UInt32) throws {
        guard case .refuse(let code, _) = try Request.parse(word) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(code == .serializerUnsupported)
        #expect(code.networkRepresentation == 1)
    }

    // MARK: Reply

    @Test("an accepted reply carries the server's own limit and the echoed serializer")
    func acceptedReplyEncoding() {
        #expect(octets(Reply.accepted(maxLength: 4096, serializer: 2).encoded) == [0x7F, 0x32, 0, 0])
        #expect(octets(Reply.accepted(maxLength: 1 << 24, serializer: 1).encoded) == [0x7F, 0xF1, 0, 0])
    }

    @Test("an error reply is 0x7F, EEEE 0000, 0, 0", arguments: UInt8(1) ... 4)
    func errorReplyEncoding(code: UInt8) {
        let errorCode = RawSocketHandshakeErrorCode(encoded: code)!
        #expect(octets(Reply.refused(errorCode).encoded) == [0x7F, code << 4, 0, 0])
    }

    @Test("error replies 1 ... 4 decode into handshakeRefused carrying the code", arguments: UInt8(1) ... 4)
    func errorRepliesDecodeIntoHandshakeRefused(code: UInt8) {
        let word = UInt32(0x7F) << 24 | UInt32(code << 4) << 16
        for requested in [UInt8(1), 2] {
            let error = expectError(.handshakeRefused) { try Reply.parse(word, requestedSerializer: requested) }
            #expect(error?.handshakeErrorCode?.networkRepresentation == code)
        }
    }

    @Test("the named error codes are the spec's values")
    func namedErrorCodes() {
        #expect(RawSocketHandshakeErrorCode.illegal.networkRepresentation == 0)
        #expect(RawSocketHandshakeErrorCode.serializerUnsupported.networkRepresentation == 1)
        #expect(RawSocketHandshakeErrorCode.maxLengthUnacceptable.networkRepresentation == 2)
        #expect(RawSocketHandshakeErrorCode.reservedBitsUsed.networkRepresentation == 3)
        #expect(RawSocketHandshakeErrorCode.maxConnectionCountReached.networkRepresentation == 4)
        #expect(RawSocketHandshakeErrorCode(encoded: 16) == nil)
        let error = expectError(.handshakeRefused) { try Reply.parse(0x7F40_0000, requestedSerializer: 1) }
        #expect(error?.handshakeErrorCode == .maxConnectionCountReached)
    }

    @Test("a reply echoing another serializer throws serializerMismatch")
    func replyWithOtherSerializerThrowsMismatch() {
        expectError(.serializerMismatch) { try Reply.parse(0x7FF2_0000, requestedSerializer: 1) }
        expectError(.serializerMismatch) { try Reply.parse(0x7F01_0000, requestedSerializer: 2) }
    }

    @Test("a reply with reserved octets set throws reservedBitsSet", arguments: [UInt32(0x7FF1_0100), 0x7FF1_0001])
    func replyWithReservedOctetsThrows(word: UInt32) {
        expectError(.reservedBitsSet) { try Reply.parse(word, requestedSerializer: 1) }
    }

    @Test("a reply with a bad magic octet throws badMagic")
    func replyWithBadMagicThrows() {
        expectError(.badMagic) { try Reply.parse(0x00F1_0000, requestedSerializer: 1) }
    }

    @Test("an accepted reply gives the server's limit, independent of the client's", arguments: allLengths)
    func acceptedReplyGivesServerLimit(serverLength: Int) throws {
        // Whatever the client announced, the reply's LLLL is what the client may send.
        let word = Reply.accepted(maxLength: serverLength, serializer: 2).encoded
        #expect(try Reply.parse(word, requestedSerializer: 2) == serverLength)
    }
}
