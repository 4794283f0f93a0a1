import NIOCore
import NIOEmbedded
import NIOTestUtils
@_spi(SansIO) import RawSocketTransport
import Testing

/// A transparent wrapper that restarts the wrapped ``RawSocketFrameDecoder`` (expecting a
/// handshake word again) after it decoded a PONG carrying `"END"`.
///
/// `ByteToMessageDecoderVerifier` feeds its inputs many times into ONE decoder; this lets
/// every input be a whole connection stream that begins with a handshake word, so the real
/// decoder is exercised on handshake + frames byte by byte, all at once and in between.
struct RestartingDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RawSocketFrameDecoder.Unit
    /// Computed rather than stored: a global holding a `ByteBuffer` inside an enum case is
    /// reported as leaked by LeakSanitizer at exit (it does not follow the reference).
    static var endMarker: RawSocketFrameDecoder.Unit {
        .frame(RawSocketFrameHeader(type: .pong, length: 3), ByteBuffer(string: "END"))
    }

    let maxLength: Int
    var inner: RawSocketFrameDecoder

    init(maxLength: Int) {
        self.maxLength = maxLength
        self.inner = RawSocketFrameDecoder(maxLength: maxLength)
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> InboundOut? {
        let unit = try inner.decode(buffer: &buffer)
        if unit == Self.endMarker { inner = RawSocketFrameDecoder(maxLength: maxLength) }
        return unit
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundOut? {
        let unit = try inner.decodeLast(buffer: &buffer, seenEOF: seenEOF)
        if unit == Self.endMarker { inner = RawSocketFrameDecoder(maxLength: maxLength) }
        return unit
    }
}

@Suite("Frame decoder")
struct FrameDecoderTests {
    typealias Unit = RawSocketFrameDecoder.Unit

    static func frame(_ type: RawSocketFrameType, _ payload: [UInt8]) -> (ByteBuffer, [Unit]) {
        (ByteBuffer(bytes: frameBytes(type, payload)),
         [.frame(RawSocketFrameHeader(type: type, length: payload.count), ByteBuffer(bytes: payload))])
    }

    @Test("frames decode whatever the read boundaries (ByteToMessageDecoderVerifier)")
    func framesDecodeAcrossAnyReadBoundaries() throws {
        let pairs = [
            Self.frame(.message, Array("[1,\"realm1\",{}]".utf8)),
            Self.frame(.message, []),
            Self.frame(.ping, [1, 2, 3, 4, 5, 6, 7, 8]),
            Self.frame(.pong, []),
            Self.frame(.message, patternedPayload(600)),
            Self.frame(.message, patternedPayload(4096, seed: 9)),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            RawSocketFrameDecoder(maxLength: 4096, expectsHandshake: false)
        }
    }

    @Test("a handshake word and the frames after it decode whatever the read boundaries")
    func handshakeAndFramesDecodeAcrossAnyReadBoundaries() throws {
        var input = ByteBuffer(bytes: [0x7F, 0xF1, 0x00, 0x00])
        var expected: [Unit] = [.handshake(0x7FF1_0000)]
        for (type, payload) in [
            (RawSocketFrameType.message, Array("[2,1,{}]".utf8)), (.ping, [0xFF]), (.message, patternedPayload(700)),
            (.message, []), (.pong, Array("END".utf8)),
        ] {
            input.writeBytes(frameBytes(type, payload))
            expected.append(.frame(RawSocketFrameHeader(type: type, length: payload.count), ByteBuffer(bytes: payload)))
        }
        #expect(expected.last == RestartingDecoder.endMarker)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(input, expected)]) {
            RestartingDecoder(maxLength: 1024)
        }
    }

    @Test("a handshake word split over reads, followed by a frame in the same read, decodes")
    func handshakeWordSplitAndFollowedByFrame() throws {
        let stream = [0x7F, 0x12, 0x00, 0x00] + frameBytes(.message, [9, 8, 7])
        // Every split point of the stream into two reads.
        for split in 0 ... stream.count {
            var decoder = RawSocketFrameDecoder(maxLength: 512)
            var buffer = ByteBuffer(bytes: stream[..<split])
            var units: [Unit] = []
            while let unit = try decoder.decode(buffer: &buffer) { units.append(unit) }
            buffer.writeBytes(stream[split...])
            while let unit = try decoder.decode(buffer: &buffer) { units.append(unit) }
            #expect(units == [.handshake(0x7F12_0000), .frame(.init(type: .message, length: 3), ByteBuffer(bytes: [9, 8, 7]))])
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("an oversize header is refused before any of its payload arrives")
    func oversizeHeaderRefusedBeforePayload() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RawSocketFrameDecoder(maxLength: 512)))
        try channel.writeInbound(ByteBuffer(bytes: [0x7F, 0x01, 0x00, 0x00]))
        #expect(try channel.readInbound(as: Unit.self) == .handshake(0x7F01_0000))
        // Only the four header octets of a 513-octet frame: no payload byte was sent.
        #expect(throws: RawSocketError.self) {
            try channel.writeInbound(ByteBuffer(bytes: octets(RawSocketFrameHeader(type: .message, length: 513).encoded)))
        }
        #expect(try channel.readInbound(as: Unit.self) == nil)
        _ = try? channel.finish()
    }

    @Test("an oversize header makes decode throw, not wait for the payload")
    func oversizeHeaderThrowsFromDecode() {
        var decoder = RawSocketFrameDecoder(maxLength: 1024, expectsHandshake: false)
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x04, 0x01])
        expectError(.frameTooLarge) { try decoder.decode(buffer: &buffer) }
        var xBit = ByteBuffer(bytes: [0x08, 0x00, 0x00, 0x00])
        var decoder2 = RawSocketFrameDecoder(maxLength: 1 << 23, expectsHandshake: false)
        expectError(.frameTooLarge) { try decoder2.decode(buffer: &xBit) }
    }

    @Test("a header of a reserved type or with reserved bits is refused before its payload")
    func invalidHeadersRefusedBeforePayload() {
        var decoder = RawSocketFrameDecoder(maxLength: 1024, expectsHandshake: false)
        var reservedType = ByteBuffer(bytes: [0x03, 0x00, 0x00, 0x10])
        expectError(.reservedFrameType) { try decoder.decode(buffer: &reservedType) }
        var decoder2 = RawSocketFrameDecoder(maxLength: 1024, expectsHandshake: false)
        var reservedBits = ByteBuffer(bytes: [0x40, 0x00, 0x00, 0x10])
        expectError(.reservedBitsSet) { try decoder2.decode(buffer: &reservedBits) }
    }

    @Test("a 2^24-octet frame with the X bit decodes when the limit is 2^24")
    func xBitFrameOfTwoToTheTwentyFourDecodes() throws {
        var decoder = RawSocketFrameDecoder(maxLength: 1 << 24, expectsHandshake: false)
        var buffer = ByteBuffer(bytes: [0x08, 0x00, 0x00, 0x00])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.writeRepeatingByte(0xA5, count: 1 << 24)
        guard case .frame(let header, let payload) = try decoder.decode(buffer: &buffer) else {
            Issue.record("no frame decoded")
            return
        }
        #expect(header == RawSocketFrameHeader(type: .message, length: 1 << 24))
        #expect(payload.readableBytes == 1 << 24)
        // ByteBuffer's == is a memcmp: a byte-by-byte scan is very slow over 16 MiB in a debug build.
        let intact = payload == ByteBuffer(repeating: 0xA5, count: 1 << 24)
        #expect(intact)
    }

    @Test("end of stream at a frame boundary is clean")
    func endOfStreamAtBoundaryIsClean() throws {
        var decoder = RawSocketFrameDecoder(maxLength: 512)
        var buffer = ByteBuffer(bytes: [0x7F, 0x01, 0x00, 0x00] + frameBytes(.message, [1]))
        #expect(try decoder.decode(buffer: &buffer) == .handshake(0x7F01_0000))
        #expect(try decoder.decode(buffer: &buffer) != nil)
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
        var fresh = RawSocketFrameDecoder(maxLength: 512)
        var empty = ByteBuffer()
        #expect(try fresh.decodeLast(buffer: &empty, seenEOF: true) == nil)
    }

    @Test("end of stream inside the handshake word, a header or a payload throws unexpectedEndOfStream", arguments: [
        [0x7F, 0x01],                                        // mid-handshake
        [0x7F, 0x01, 0x00, 0x00, 0x00, 0x00],                // mid-header
        [0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 1, 2], // mid-payload
        [0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05],    // header complete, no payload byte
    ] as [[UInt8]])
    func truncatedStreamThrowsUnexpectedEndOfStream(stream: [UInt8]) {
        var decoder = RawSocketFrameDecoder(maxLength: 512)
        var buffer = ByteBuffer(bytes: stream)
        expectError(.unexpectedEndOfStream) {
            while try decoder.decode(buffer: &buffer) != nil {}
            return try decoder.decodeLast(buffer: &buffer, seenEOF: true)
        }
    }

    @Test("a truncated stream in a pipeline reports unexpectedEndOfStream at close")
    func truncatedStreamInPipelineReportsAtClose() throws {
        for stream: [UInt8] in [[0x7F, 0x01, 0x00, 0x00, 0x00, 0x00], [0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAA]] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(RawSocketFrameDecoder(maxLength: 512)))
            try channel.writeInbound(ByteBuffer(bytes: stream))
            #expect(try channel.readInbound(as: Unit.self) == .handshake(0x7F01_0000))
            expectError(.unexpectedEndOfStream) { try channel.finish() }
        }
    }
}
