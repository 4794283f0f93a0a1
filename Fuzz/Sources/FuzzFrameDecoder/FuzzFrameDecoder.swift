import NIOCore
@_spi(SansIO) import RawSocketTransport

/// libFuzzer entry point: an arbitrary byte stream into the RawSocket protocol.
///
/// Input: two control octets, then the stream. The control octets pick the chunking (split
/// points drawn from a small generator seeded by them), the client's serializer and whether
/// PINGs are sent between chunks. The stream is fed
/// - to ``RawSocketProtocolCore`` as a client and as a server (receive limit 512), once in
///   one piece and once in chunks: both must give the same events;
/// - to ``RawSocketFrameDecoder`` through `NIOSingleStepByteToMessageProcessor`, with and
///   without a handshake word, again in one piece and in chunks.
///
/// Errors are fine; a crash, a difference between the two feedings or a broken invariant
/// (a frame over the limit, a payload of the wrong length, an event after a failure, more
/// than a frame's worth of octets kept between reads) is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return -1 }
    let control0 = data[0], control1 = data[1]
    let stream = ByteBuffer(bytes: UnsafeBufferPointer(start: data + 2, count: size - 2))
    let chunks = split(stream, seed: UInt32(control0) << 8 | UInt32(control1))

    let clientSerializer: UInt8 = control1 & 0x01 == 0 ? 2 : 1
    let roles: [RawSocketStateMachine.Role] = [
        .client(serializer: clientSerializer),
        .server(acceptedSerializers: [1, 2], refusal: nil),
    ]
    for role in roles {
        let whole = runCore(role: role, chunks: [stream], pings: false)
        let chunked = runCore(role: role, chunks: chunks, pings: false)
        check(whole == chunked, "core \(role): one piece gives \(whole), chunks \(chunks.map(\.readableBytes)) give \(chunked)")
        if control1 & 0x02 != 0 {
            _ = runCore(role: role, chunks: chunks, pings: true)
        }
    }

    for expectsHandshake in [true, false] {
        let whole = runDecoder(expectsHandshake: expectsHandshake, chunks: [stream])
        let chunked = runDecoder(expectsHandshake: expectsHandshake, chunks: chunks)
        check(whole == chunked, "decoder: one piece gives \(whole), chunks \(chunks.map(\.readableBytes)) give \(chunked)")
    }
    return 0
}

/// The receive limit of every core and decoder: the smallest a handshake can announce, so that
/// inputs of about a kilobyte hold frames at the limit and over it.
let maxReceiveLength = RawSocketHandshake.minimumMaxLength
let allocator = ByteBufferAllocator()

/// What the core reported, comparable.
enum Trace: Equatable, CustomStringConvertible {
    case write([UInt8])
    case handshake(serializer: UInt8, maxSend: Int, maxReceive: Int)
    case message([UInt8])
    case pong
    case failed(RawSocketError.Code, String)

    var description: String {
        switch self {
        case .write(let b): return "write(\(b.count))"
        case .handshake(let s, let send, let receive): return "handshake(\(s), \(send), \(receive))"
        case .message(let b): return "message(\(b.count))"
        case .pong: return "pong"
        case .failed(let code, let message): return "failed(\(code): \(message))"
        }
    }
}

func runCore(role: RawSocketStateMachine.Role, chunks: [ByteBuffer], pings: Bool) -> [Trace] {
    var core = RawSocketProtocolCore(role: role, maxReceiveLength: maxReceiveLength, maxPings: 3)
    var trace: [Trace] = []
    var failed = false
    let onEvent: (RawSocketProtocolCore.Event) -> Void = { event in
        check(!failed, "an event after failure: \(event)")
        switch event {
        case .write(let bytes):
            checkWrite(bytes, afterHandshake: trace.contains { if case .handshake = $0 { true } else { false } })
            trace.append(.write(Array(bytes.readableBytesView)))
        case .handshakeCompleted(let n):
            check(n.maxReceiveLength == maxReceiveLength, "negotiated receive limit \(n)")
            check(RawSocketHandshake.isValidMaxLength(n.maxSendLength), "negotiated send limit \(n)")
            if case .client(let serializer) = role { check(n.serializer == serializer, "negotiated serializer \(n)") }
            if case .server(let accepted, _) = role { check(accepted.contains(n.serializer), "negotiated serializer \(n)") }
            trace.append(.handshake(serializer: n.serializer, maxSend: n.maxSendLength, maxReceive: n.maxReceiveLength))
        case .message(let payload):
            check(payload.readableBytes <= maxReceiveLength, "a message of \(payload.readableBytes) octets")
            trace.append(.message(Array(payload.readableBytesView)))
        case .pongReceived:
            trace.append(.pong)
        case .failed(let error):
            failed = true
            trace.append(.failed(error.code, error.message))
        }
    }
    if let request = core.start(allocator: allocator) {
        check(request.readableBytes == 4, "a request of \(request.readableBytes) octets")
    }
    for chunk in chunks {
        core.receive(chunk, allocator: allocator, onEvent)
        // Memory per connection: what the core keeps between reads is part of one handshake
        // word, frame header or payload, so always below the receive limit.
        if !failed {
            check(core.bufferedByteCount < maxReceiveLength, "the core keeps \(core.bufferedByteCount) octets")
        }
        if pings { core.pingDue(allocator: allocator, onEvent) }
    }
    core.endOfStream(onEvent)
    check(core.machine.negotiation == nil, "still open after the end of the stream")
    return trace
}

/// A write is a 4-octet handshake reply before the handshake completed, a whole frame after.
func checkWrite(_ bytes: ByteBuffer, afterHandshake: Bool) {
    if !afterHandshake {
        check(bytes.readableBytes == 4, "a handshake write of \(bytes.readableBytes) octets")
        return
    }
    guard let word = bytes.getInteger(at: bytes.readerIndex, as: UInt32.self) else {
        check(false, "a write of \(bytes.readableBytes) octets")
        return
    }
    do {
        let header = try RawSocketFrameHeader(parsing: word, maxLength: RawSocketFrameHeader.maxPayloadLength)
        check(header.length == bytes.readableBytes - 4, "a written \(header.type) frame of \(header.length) octets carries \(bytes.readableBytes - 4)")
        check(header.type == .pong || header.type == .ping, "a written \(header.type) frame")
    } catch {
        check(false, "a written frame header does not parse: \(error)")
    }
}

/// What the decoder produced, comparable: the units, then the error code if any.
struct DecoderTrace: Equatable, CustomStringConvertible {
    var units: [RawSocketFrameDecoder.Unit] = []
    var error: RawSocketError.Code?
    var description: String { "\(units.count) units, error \(error.map { "\($0)" } ?? "none")" }
}

func runDecoder(expectsHandshake: Bool, chunks: [ByteBuffer]) -> DecoderTrace {
    let processor = NIOSingleStepByteToMessageProcessor(
        RawSocketFrameDecoder(maxLength: maxReceiveLength, expectsHandshake: expectsHandshake))
    var trace = DecoderTrace()
    var consumed = 0
    let total = chunks.reduce(0) { $0 + $1.readableBytes }
    let onUnit: (RawSocketFrameDecoder.Unit) -> Void = { unit in
        switch unit {
        case .handshake:
            check(expectsHandshake && trace.units.isEmpty, "a handshake unit at position \(trace.units.count)")
            consumed += 4
        case .frame(let header, let payload):
            check(header.type.isDefined, "a frame of type \(header.type)")
            check(header.length <= maxReceiveLength, "a frame of \(header.length) octets over the limit")
            check(payload.readableBytes == header.length, "a \(header.length)-octet frame with \(payload.readableBytes) octets")
            consumed += 4 + header.length
        }
        check(consumed <= total, "decoded \(consumed) octets of \(total)")
        trace.units.append(unit)
    }
    do {
        for chunk in chunks {
            try processor.process(buffer: chunk, onUnit)
            // Whatever the chunking, the decoder keeps less than one frame at the limit
            // between reads: a header over the limit is refused before its payload is kept.
            check(processor.unprocessedBytes < maxReceiveLength, "the decoder keeps \(processor.unprocessedBytes) octets")
        }
        try processor.finishProcessing(seenEOF: true, onUnit)
        // Without an error, everything was consumed.
        check(consumed == total, "decoded \(consumed) octets of \(total) without an error")
    } catch let error as RawSocketError {
        trace.error = error.code
    } catch {
        check(false, "a decoder error that is not a RawSocketError: \(error)")
    }
    return trace
}

/// Splits `bytes` into chunks whose lengths come from a xorshift generator seeded by `seed`;
/// its high octet picks the largest chunk (from 1 octet, byte by byte, up to 1000 octets;
/// the stream in one piece is fed separately).
func split(_ bytes: ByteBuffer, seed: UInt32) -> [ByteBuffer] {
    let maxChunks = [1, 2, 3, 4, 5, 7, 8, 13, 64, 1000]
    let maxChunk = maxChunks[Int(seed >> 8) % maxChunks.count]
    var state = seed | 1
    var chunks: [ByteBuffer] = []
    var rest = bytes
    while rest.readableBytes > 0 {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        let length = min(1 + Int(state % UInt32(maxChunk)), rest.readableBytes)
        chunks.append(rest.readSlice(length: length)!)
    }
    return chunks
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzFrameDecoder: \(message())") }
}
