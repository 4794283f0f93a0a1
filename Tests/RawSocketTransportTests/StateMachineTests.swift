import NIOCore
@_spi(SansIO) import RawSocketTransport
import Testing

/// A comparable view of ``RawSocketProtocolCore/Event``.
enum Observed: Equatable, CustomStringConvertible {
    case write([UInt8])
    case handshakeCompleted(serializer: UInt8, maxSendLength: Int, maxReceiveLength: Int)
    case message([UInt8])
    case pongReceived
    case failed(RawSocketError.Code)

    init(_ event: RawSocketProtocolCore.Event) {
        switch event {
        case .write(let buffer): self = .write(bytes(buffer))
        case .handshakeCompleted(let n):
            self = .handshakeCompleted(serializer: n.serializer, maxSendLength: n.maxSendLength, maxReceiveLength: n.maxReceiveLength)
        case .message(let buffer): self = .message(bytes(buffer))
        case .pongReceived: self = .pongReceived
        case .failed(let error): self = .failed(error.code)
        }
    }

    var description: String {
        switch self {
        case .write(let b): return "write(\(b))"
        case .handshakeCompleted(let s, let out, let inn): return "handshakeCompleted(\(s), send \(out), receive \(inn))"
        case .message(let b): return "message(\(b.count) octets)"
        case .pongReceived: return "pongReceived"
        case .failed(let code): return "failed(\(code))"
        }
    }
}

extension RawSocketProtocolCore {
    /// Feeds bytes and returns the events they caused.
    mutating func feed(_ bytes: [UInt8]) -> [Observed] {
        var events: [Observed] = []
        receive(ByteBuffer(bytes: bytes), allocator: ByteBufferAllocator()) { events.append(Observed($0)) }
        return events
    }

    mutating func eof() -> [Observed] {
        var events: [Observed] = []
        endOfStream { events.append(Observed($0)) }
        return events
    }

    mutating func ping() -> [Observed] {
        var events: [Observed] = []
        pingDue(allocator: ByteBufferAllocator()) { events.append(Observed($0)) }
        return events
    }
}

// MARK: - State machine

@Suite("State machine")
struct StateMachineTests {
    static let allocator = ByteBufferAllocator()

    static func openServer(accepted: [UInt8] = [1, 2], maxReceiveLength: Int = 4096, clientLength: Int = 512, serializer: UInt8 = 1, maxPings: Int = 3) -> RawSocketStateMachine {
        var machine = RawSocketStateMachine(role: .server(acceptedSerializers: accepted, refusal: nil), maxReceiveLength: maxReceiveLength, maxPings: maxPings)
        #expect(machine.start() == nil)
        _ = machine.handshakeReceived(RawSocketHandshake.Request(maxLength: clientLength, serializer: serializer).encoded)
        return machine
    }

    @Test("the server picks the client's serializer from its accepted list and replies with its own limit")
    func serverPicksSerializerAndRepliesWithItsLimit() {
        for (requested, limit) in [(UInt8(1), 512), (2, 1 << 24)] {
            var machine = RawSocketStateMachine(role: .server(acceptedSerializers: [2, 1], refusal: nil), maxReceiveLength: 2048, maxPings: 10)
            #expect(machine.start() == nil)
            let action = machine.handshakeReceived(RawSocketHandshake.Request(maxLength: limit, serializer: requested).encoded)
            guard case .completed(let negotiation, let reply) = action else {
                Issue.record("expected completion, got \(action)")
                continue
            }
            #expect(negotiation.serializer == requested)
            #expect(negotiation.maxSendLength == limit)       // the client's limit
            #expect(negotiation.maxReceiveLength == 2048)     // ours
            #expect(reply.map(octets) == [0x7F, 0x20 | requested, 0, 0])
            #expect(machine.negotiation == negotiation)
        }
    }

    @Test("the server refuses an unsupported serializer with reply 0x7F 0x10 0 0 and fails")
    func serverRefusesUnsupportedSerializer() {
        var machine = RawSocketStateMachine(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
        let action = machine.handshakeReceived(RawSocketHandshake.Request(maxLength: 512, serializer: 2).encoded)
        guard case .refuse(let reply, let code, _) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(octets(reply) == [0x7F, 0x10, 0x00, 0x00])
        #expect(code == .serializerUnsupported)
        #expect(machine.negotiation == nil)
        // The connection is over: frames are no longer accepted.
        guard case .fail = machine.frameReceived(.init(type: .message, length: 0), payload: ByteBuffer()) else {
            Issue.record("a frame after a refusal was accepted")
            return
        }
    }

    @Test("a server constructed with refusal maxConnectionCountReached answers error 4")
    func serverWithRefusalAnswersCode4() {
        var machine = RawSocketStateMachine(
            role: .server(acceptedSerializers: [1, 2], refusal: .maxConnectionCountReached), maxReceiveLength: 512, maxPings: 10)
        let action = machine.handshakeReceived(RawSocketHandshake.Request(maxLength: 512, serializer: 1).encoded)
        guard case .refuse(let reply, let code, _) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(octets(reply) == [0x7F, 0x40, 0x00, 0x00])
        #expect(code == .handshakeRefused)
        #expect(machine.negotiation == nil)
    }

    @Test("the server fails without a reply on a bad magic octet")
    func serverFailsSilentlyOnBadMagic() {
        var machine = RawSocketStateMachine(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
        guard case .fail(let code, _) = machine.handshakeReceived(0x4745_5420) else {
            Issue.record("expected a silent failure")
            return
        }
        #expect(code == .badMagic)
        #expect(machine.negotiation == nil)
    }

    @Test("the server answers reserved handshake octets with error 3 and serializer 0 with error 1")
    func serverRefusesReservedOctetsAndSerializerZero() {
        for (word, reply) in [(UInt32(0x7F01_0001), [UInt8(0x7F), 0x30, 0, 0]), (0x7F00_0000, [0x7F, 0x10, 0, 0])] {
            var machine = RawSocketStateMachine(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
            guard case .refuse(let actual, _, _) = machine.handshakeReceived(word) else {
                Issue.record("expected a refusal for \(octets(word))")
                continue
            }
            #expect(octets(actual) == reply)
        }
    }

    @Test("the client sends its request and verifies the reply")
    func clientVerifiesReply() {
        var machine = RawSocketStateMachine(role: .client(serializer: 2), maxReceiveLength: 1 << 24, maxPings: 10)
        #expect(machine.start().map(octets) == [0x7F, 0xF2, 0, 0])
        #expect(machine.start() == nil, "start is idempotent")
        let action = machine.handshakeReceived(RawSocketHandshake.Reply.accepted(maxLength: 512, serializer: 2).encoded)
        guard case .completed(let negotiation, let reply) = action else {
            Issue.record("expected completion, got \(action)")
            return
        }
        #expect(reply == nil)
        #expect(negotiation.serializer == 2)
        #expect(negotiation.maxSendLength == 512)
        #expect(negotiation.maxReceiveLength == 1 << 24)
    }

    @Test("the client fails on a refusal, a mismatched serializer, reserved octets or a bad magic octet")
    func clientFailsOnBadReplies() {
        let cases: [(UInt32, RawSocketError.Code)] = [
            (0x7F10_0000, .handshakeRefused), (0x7F40_0000, .handshakeRefused), (0x7FF1_0000, .serializerMismatch),
            (0x7FF2_0001, .reservedBitsSet), (0x00F2_0000, .badMagic),
        ]
        for (word, code) in cases {
            var machine = RawSocketStateMachine(role: .client(serializer: 2), maxReceiveLength: 512, maxPings: 10)
            _ = machine.start()
            guard case .fail(let actual, _) = machine.handshakeReceived(word) else {
                Issue.record("expected a failure for \(octets(word))")
                continue
            }
            #expect(actual == code, "\(octets(word))")
            #expect(machine.negotiation == nil)
        }
    }

    @Test("frames before the handshake completed fail")
    func framesBeforeHandshakeFail() {
        for role in [RawSocketStateMachine.Role.client(serializer: 1), .server(acceptedSerializers: [1], refusal: nil)] {
            var machine = RawSocketStateMachine(role: role, maxReceiveLength: 512, maxPings: 10)
            for type in [RawSocketFrameType.message, .ping, .pong] {
                guard case .fail = machine.frameReceived(.init(type: type, length: 1), payload: ByteBuffer(bytes: [1])) else {
                    Issue.record("\(type) before the handshake was accepted by \(role)")
                    continue
                }
            }
            _ = machine.start()
            guard case .fail = machine.frameReceived(.init(type: .message, length: 0), payload: ByteBuffer()) else {
                Issue.record("a frame while awaiting the handshake was accepted by \(role)")
                continue
            }
        }
    }

    @Test("a message frame is delivered")
    func messageFrameDelivered() {
        var machine = Self.openServer()
        let payload = ByteBuffer(string: "[1]")
        #expect(machine.frameReceived(.init(type: .message, length: 3), payload: payload) == .deliver(payload))
    }

    @Test("a PING is answered with a PONG echoing the payload byte for byte")
    func pingAnsweredWithEchoingPong() {
        var machine = Self.openServer()
        for payload in [[], [0x00], patternedPayload(300)] as [[UInt8]] {
            let buffer = ByteBuffer(bytes: payload)
            #expect(machine.frameReceived(.init(type: .ping, length: payload.count), payload: buffer) == .sendPong(buffer))
        }
    }

    @Test("an unsolicited PONG is ignored")
    func unsolicitedPongIgnored() {
        var machine = Self.openServer()
        #expect(machine.frameReceived(.init(type: .pong, length: 2), payload: ByteBuffer(bytes: [1, 2])) == .ignore)
        #expect(machine.frameReceived(.init(type: .pong, length: 0), payload: ByteBuffer()) == .ignore)
        #expect(machine.negotiation != nil)
    }

    @Test("after maxPings unanswered PINGs the next pingDue fails with tooManyUnansweredPings")
    func unansweredPingsAreCounted() {
        var machine = Self.openServer(maxPings: 3)
        var payloads: [ByteBuffer] = []
        for expected in 1 ... 3 {
            guard case .sendPing(let payload) = machine.pingDue(allocator: Self.allocator) else {
                Issue.record("PING \(expected) not sent")
                return
            }
            #expect(!payloads.contains(payload), "each PING carries a distinct payload")
            payloads.append(payload)
            #expect(machine.unansweredPings == expected)
        }
        guard case .fail(let code, _) = machine.pingDue(allocator: Self.allocator) else {
            Issue.record("the fourth PING did not fail")
            return
        }
        #expect(code == .tooManyUnansweredPings)
    }

    @Test("a PONG echoing an outstanding PING clears it and every older one")
    func pongClearsItsPingAndOlderOnes() {
        var machine = Self.openServer(maxPings: 5)
        var payloads: [ByteBuffer] = []
        for _ in 0 ..< 4 {
            if case .sendPing(let payload) = machine.pingDue(allocator: Self.allocator) { payloads.append(payload) }
        }
        #expect(machine.unansweredPings == 4)
        let third = payloads[2]
        #expect(machine.frameReceived(.init(type: .pong, length: third.readableBytes), payload: third) == .pongReceived)
        #expect(machine.unansweredPings == 1)
        // The first PING's PONG arriving late is now unsolicited.
        #expect(machine.frameReceived(.init(type: .pong, length: payloads[0].readableBytes), payload: payloads[0]) == .ignore)
        #expect(machine.unansweredPings == 1)
        #expect(machine.frameReceived(.init(type: .pong, length: payloads[3].readableBytes), payload: payloads[3]) == .pongReceived)
        #expect(machine.unansweredPings == 0)
        // A PONG not echoing any PING leaves the count alone.
        if case .sendPing = machine.pingDue(allocator: Self.allocator) {} else { Issue.record("PING not sent") }
        #expect(machine.frameReceived(.init(type: .pong, length: 1), payload: ByteBuffer(bytes: [7])) == .ignore)
        #expect(machine.unansweredPings == 1)
    }

    @Test("answering PINGs keeps the connection alive past maxPings")
    func answeredPingsNeverFail() {
        var machine = Self.openServer(maxPings: 1)
        for _ in 0 ..< 20 {
            guard case .sendPing(let payload) = machine.pingDue(allocator: Self.allocator) else {
                Issue.record("PING not sent")
                return
            }
            #expect(machine.frameReceived(.init(type: .pong, length: payload.readableBytes), payload: payload) == .pongReceived)
        }
    }

    @Test("no PING is due before the handshake or after close")
    func noPingWhenNotOpen() {
        var machine = RawSocketStateMachine(role: .client(serializer: 1), maxReceiveLength: 512, maxPings: 1)
        #expect(machine.pingDue(allocator: Self.allocator) == .none)
        var open = Self.openServer()
        open.closed()
        #expect(open.pingDue(allocator: Self.allocator) == .none)
        #expect(open.unansweredPings == 0)
    }

    @Test("checkSend refuses a message over the peer's limit with messageTooLarge")
    func checkSendOverPeerLimit() throws {
        let machine = Self.openServer(maxReceiveLength: 1 << 24, clientLength: 1024)
        try machine.checkSend(length: 0)
        try machine.checkSend(length: 1024)
        expectError(.messageTooLarge) { try machine.checkSend(length: 1025) }
        let closed = RawSocketStateMachine(role: .client(serializer: 1), maxReceiveLength: 512, maxPings: 1)
        expectError(.connectionClosed) { try closed.checkSend(length: 1) }
    }

    @Test("a reserved frame type that reaches the machine fails the connection")
    func reservedFrameTypeFails() {
        var machine = Self.openServer()
        let action = machine.frameReceived(.init(type: RawSocketFrameType(encoded: 5)!, length: 0), payload: ByteBuffer())
        guard case .fail(let code, _) = action else {
            Issue.record("expected a failure, got \(action)")
            return
        }
        #expect(code == .reservedFrameType)
    }
}

// MARK: - Protocol core

@Suite("Protocol core")
struct ProtocolCoreTests {
    static let request1 = octets(RawSocketHandshake.Request(maxLength: 512, serializer: 1).encoded)

    @Test("a server core answers the request with its reply, then delivers messages")
    func serverCoreHandshakeThenMessages() {
        var core = RawSocketProtocolCore(role: .server(acceptedSerializers: [1, 2], refusal: nil), maxReceiveLength: 1 << 16, maxPings: 10)
        #expect(core.start(allocator: ByteBufferAllocator()) == nil)
        #expect(core.feed(Self.request1) == [
            .write([0x7F, 0x71, 0x00, 0x00]),
            .handshakeCompleted(serializer: 1, maxSendLength: 512, maxReceiveLength: 1 << 16),
        ])
        #expect(core.feed(frameBytes(.message, [1, 2]) + frameBytes(.message, [3])) == [.message([1, 2]), .message([3])])
    }

    @Test("a server core refuses an unsupported serializer: error reply 1, then failure")
    func serverCoreRefusesUnsupportedSerializer() {
        var core = RawSocketProtocolCore(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
        #expect(core.feed([0x7F, 0xF2, 0x00, 0x00]) == [.write([0x7F, 0x10, 0x00, 0x00]), .failed(.serializerUnsupported)])
    }

    @Test("a server core with refusal maxConnectionCountReached answers error 4")
    func serverCoreRefusesWithCode4() {
        var core = RawSocketProtocolCore(role: .server(acceptedSerializers: [1], refusal: .maxConnectionCountReached), maxReceiveLength: 512, maxPings: 10)
        #expect(core.feed(Self.request1) == [.write([0x7F, 0x40, 0x00, 0x00]), .failed(.handshakeRefused)])
    }

    @Test("a bad magic octet fails with nothing written")
    func badMagicFailsWithoutWrite() {
        var core = RawSocketProtocolCore(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
        #expect(core.feed(Array("GET / HTTP/1.1\r\n".utf8)) == [.failed(.badMagic)])
    }

    @Test("bytes after a failure are ignored")
    func bytesAfterFailureIgnored() {
        var core = RawSocketProtocolCore(role: .server(acceptedSerializers: [1], refusal: nil), maxReceiveLength: 512, maxPings: 10)
        #expect(core.feed([0x7F, 0x02, 0x00, 0x00] + frameBytes(.message, [1])) == [.write([0x7F, 0x10, 0, 0]), .failed(.serializerUnsupported)])
        #expect(core.feed(Self.request1) == [])
        #expect(core.feed(frameBytes(.ping, [1])) == [])
        #expect(core.eof() == [])
        #expect(core.ping() == [])
    }

    @Test("a client core sends its request and accepts a reply split across reads")
    func clientCoreReplySplitAcrossReads() {
        var core = RawSocketProtocolCore(role: .client(serializer: 2), maxReceiveLength: 1 << 24, maxPings: 10)
        #expect(core.start(allocator: ByteBufferAllocator()).map(bytes) == [0x7F, 0xF2, 0x00, 0x00])
        #expect(core.feed([0x7F]) == [])
        #expect(core.feed([0x02, 0x00]) == [])
        #expect(core.feed([0x00]) == [.handshakeCompleted(serializer: 2, maxSendLength: 512, maxReceiveLength: 1 << 24)])
    }

    @Test("a handshake reply in the same read as the first frames is handled")
    func replyAndFirstFramesInOneRead() {
        var core = RawSocketProtocolCore(role: .client(serializer: 1), maxReceiveLength: 1024, maxPings: 10)
        _ = core.start(allocator: ByteBufferAllocator())
        let read = [0x7F, 0x51, 0x00, 0x00] + frameBytes(.message, Array("[2,1,{}]".utf8)) + frameBytes(.ping, [4, 2])
        #expect(core.feed(read) == [
            .handshakeCompleted(serializer: 1, maxSendLength: 16_384, maxReceiveLength: 1024),
            .message(Array("[2,1,{}]".utf8)),
            .write(frameBytes(.pong, [4, 2])),
        ])
    }

    @Test("the client core fails on a refusal and reports the refusal code")
    func clientCoreFailsOnRefusal() {
        var core = RawSocketProtocolCore(role: .client(serializer: 1), maxReceiveLength: 1024, maxPings: 10)
        _ = core.start(allocator: ByteBufferAllocator())
        var failure: RawSocketError?
        core.receive(ByteBuffer(bytes: [0x7F, 0x40, 0, 0]), allocator: ByteBufferAllocator()) { event in
            if case .failed(let error) = event { failure = error }
        }
        #expect(failure?.code == .handshakeRefused)
        #expect(failure?.handshakeErrorCode == .maxConnectionCountReached)
    }

    @Test("a PING is answered with a PONG frame echoing the payload")
    func pingAnsweredWithPongFrame() {
        var core = Self.openClientCore()
        let payload = patternedPayload(77)
        #expect(core.feed(frameBytes(.ping, payload)) == [.write(frameBytes(.pong, payload))])
        #expect(core.feed(frameBytes(.ping, [])) == [.write([0x02, 0x00, 0x00, 0x00])])
    }

    @Test("PINGs are sent until maxPings are unanswered, then the core fails")
    func corePingsUntilTooManyUnanswered() throws {
        var core = Self.openClientCore(maxPings: 2)
        for _ in 0 ..< 2 {
            let events = core.ping()
            guard case .write(let frame) = events.first, events.count == 1 else {
                Issue.record("expected one PING write, got \(events)")
                return
            }
            #expect(frame[0] == 0x01)
            #expect(Int(frame[3]) == frame.count - 4)
        }
        #expect(core.ping() == [.failed(.tooManyUnansweredPings)])
        #expect(core.ping() == [])
    }

    @Test("a PONG echoing the PING payload is reported and clears the count")
    func pongFromPeerClearsCount() {
        var core = Self.openClientCore(maxPings: 1)
        for _ in 0 ..< 5 {
            guard case .write(let ping) = core.ping().first else {
                Issue.record("no PING")
                return
            }
            #expect(core.machine.unansweredPings == 1)
            #expect(core.feed(frameBytes(.pong, Array(ping.dropFirst(4)))) == [.pongReceived])
            #expect(core.machine.unansweredPings == 0)
        }
        #expect(core.feed(frameBytes(.pong, [1, 2, 3])) == [], "unsolicited PONG ignored")
    }

    @Test("a frame over the limit fails at its header")
    func frameOverLimitFailsAtHeader() {
        var core = Self.openClientCore()
        #expect(core.feed(octets(RawSocketFrameHeader(type: .message, length: 1025).encoded)) == [.failed(.frameTooLarge)])
    }

    @Test("end of stream: clean at a boundary, unexpectedEndOfStream mid-frame or before the reply")
    func endOfStreamReports() {
        var clean = Self.openClientCore()
        #expect(clean.eof() == [])
        var midFrame = Self.openClientCore()
        #expect(midFrame.feed([0x00, 0x00, 0x00, 0x09, 1, 2]) == [])
        #expect(midFrame.eof() == [.failed(.unexpectedEndOfStream)])
        var beforeReply = RawSocketProtocolCore(role: .client(serializer: 1), maxReceiveLength: 1024, maxPings: 10)
        _ = beforeReply.start(allocator: ByteBufferAllocator())
        #expect(beforeReply.eof() == [.failed(.unexpectedEndOfStream)])
    }

    @Test("between reads the core keeps only the part of a frame it still needs, never a whole frame at the limit")
    func bufferedBytesStayBelowTheLimit() {
        var core = Self.openClientCore()
        #expect(core.bufferedByteCount == 0)
        // A frame at the 1024-octet limit, fed byte by byte: the header leaves, the payload
        // grows to 1023 octets, then the whole frame is delivered.
        let stream = frameBytes(.message, patternedPayload(1024))
        var delivered = 0
        for (index, octet) in stream.enumerated() {
            delivered += core.feed([octet]).count
            let expected = index + 1 == stream.count ? 0 : (index < 3 ? index + 1 : index - 3)
            #expect(core.bufferedByteCount == expected, "after octet \(index)")
            #expect(core.bufferedByteCount < 1024)
        }
        #expect(delivered == 1)
        // A header over the limit is refused before any payload is kept.
        #expect(core.feed(octets(RawSocketFrameHeader(type: .message, length: 1025).encoded)) == [.failed(.frameTooLarge)])
    }

    static func openClientCore(maxPings: Int = 10) -> RawSocketProtocolCore {
        var core = RawSocketProtocolCore(role: .client(serializer: 1), maxReceiveLength: 1024, maxPings: maxPings)
        _ = core.start(allocator: ByteBufferAllocator())
        let events = core.feed([0x7F, 0x01, 0x00, 0x00])
        #expect(events == [.handshakeCompleted(serializer: 1, maxSendLength: 512, maxReceiveLength: 1024)])
        return core
    }
}
