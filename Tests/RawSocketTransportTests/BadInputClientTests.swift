import JSONSerializer
import MsgPackSerializer
import NIOCore
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

/// The bad-input matrix against our client: a fake server written for the tests (a scripted
/// NIO server on 127.0.0.1) misbehaves on purpose. Each case ends in a typed error or is
/// handled, never in a hang (every case runs under a time bound). The outcome table is in the
/// README ("Hostile input, faults and load").
@Suite("Bad input against our client", .scaledTimeLimit(minutes: 1))
struct BadInputClientTests {
    /// The client's configuration: a short close timeout (the fake server may not read).
    static let shortTimeouts = RawSocketConfiguration { $0.closeTimeout = .milliseconds(300) }
    /// For the handshake timeout cases: 1 s (it also bounds the TCP connect).
    static let shortHandshakeTimeout = RawSocketConfiguration { $0.handshakeTimeout = .seconds(1); $0.closeTimeout = .milliseconds(300) }

    // MARK: Handshake replies

    @Test("an error reply makes connect throw handshakeRefused carrying its code", arguments: UInt8(0) ... 15)
    func errorReply(code: UInt8) async throws {
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            try await raw.write([0x7F, code << 4, 0x00, 0x00])
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "connect") {
                let error = await expectErrorAsync(.handshakeRefused) {
                    try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                }
                #expect(error?.handshakeErrorCode?.networkRepresentation == code)
                if code == 1 {
                    #expect(error?.message == "handshake refused by the server: serializer unsupported (error 1)")
                }
            }
        }
    }

    struct ReplyCase: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: [UInt8]
        var error: RawSocketError.Code
        var testDescription: String { name }
    }

    /// The client asks for JSON (serializer 1).
    static let badReplies: [ReplyCase] = [
        ReplyCase(name: "MessagePack echoed", reply: [0x7F, 0xF2, 0x00, 0x00], error: .serializerMismatch),
        ReplyCase(name: "CBOR echoed", reply: [0x7F, 0xF3, 0x00, 0x00], error: .serializerMismatch),
        ReplyCase(name: "serializer 15 echoed", reply: [0x7F, 0x1F, 0x00, 0x00], error: .serializerMismatch),
        ReplyCase(name: "magic 0x00", reply: [0x00, 0xF1, 0x00, 0x00], error: .badMagic),
        ReplyCase(name: "magic 0x7E", reply: [0x7E, 0xF1, 0x00, 0x00], error: .badMagic),
        ReplyCase(name: "an HTTP response", reply: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8), error: .badMagic),
        ReplyCase(name: "reserved octet 3 set", reply: [0x7F, 0xF1, 0x01, 0x00], error: .reservedBitsSet),
        ReplyCase(name: "reserved octet 4 set", reply: [0x7F, 0xF1, 0x00, 0x80], error: .reservedBitsSet),
    ]

    @Test("a bad handshake reply makes connect throw a typed error and the client closes", arguments: badReplies)
    func badReply(_ testCase: ReplyCase) async throws {
        let (closes, closed) = AsyncStream<Void>.makeStream()
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            try await raw.write(testCase.reply)
            _ = await raw.readToEnd()
            closed.yield()
        }) { endpoint in
            try await withTimeout(30, "connect") {
                await expectErrorAsync(testCase.error) {
                    try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                }
                var iterator = closes.makeAsyncIterator()
                await iterator.next()  // the client closed the connection
            }
        }
    }

    @Test("a reply split across reads is put together; the connection works", arguments: [[1, 1, 1, 1], [1, 3], [2, 2], [3, 1]])
    func replySplitAcrossReads(chunks: [Int]) async throws {
        let message = WAMPMessage.welcome(.init(session: 9, details: ["roles": ["broker": [:]]]))
        var serialized = ByteBuffer()
        try jsonSerializer.serialize(message, into: &serialized)
        let frame = frameBytes(.message, bytes(serialized))
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            var reply = ArraySlice<UInt8>([0x7F, 0xF1, 0x00, 0x00])
            for size in chunks {
                try await raw.write(Array(reply.prefix(size)))
                reply = reply.dropFirst(size)
                // Separate TCP segments: each chunk arrives in its own read.
                try await Task.sleep(for: .milliseconds(20))
            }
            // Then the first frame, itself split in two.
            try await raw.write(Array(frame.prefix(3)))
            try await Task.sleep(for: .milliseconds(20))
            try await raw.write(Array(frame.dropFirst(3)))
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "split reply") {
                let connection = try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                #expect(connection.maxSendLength == 1 << 24)
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == message)
                try await connection.close()
            }
        }
    }

    @Test("a reply together with the first frames in one write is handled")
    func replyWithFirstFrames() async throws {
        let message = WAMPMessage.goodbye(.init(details: [:], reason: "wamp.close.system_shutdown"))
        var buffer = ByteBuffer()
        try jsonSerializer.serialize(message, into: &buffer)
        let serialized = buffer
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0x51, 0x00, 0x00] + frameBytes(.ping, [7]) + frameBytes(.message, bytes(serialized)))
            let pong = try await raw.readFrame()
            #expect(pong?.type == 0x02)
            #expect(pong?.payload == [7])
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "reply and frames") {
                let connection = try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                #expect(connection.maxSendLength == 1 << 14)
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == message)
                try await connection.close()
            }
        }
    }

    @Test(
        "a reply cut short: silence ends in handshakeTimeout, a close in unexpectedEndOfStream",
        arguments: [0, 1, 2, 3], BadInputServerTests.CutEnding.allCases)
    func replyCutShort(octets: Int, ending: BadInputServerTests.CutEnding) async throws {
        try await withScriptedServer({ raw, peer in
            _ = try await raw.read(4)
            if octets > 0 { try await raw.write(Array([0x7F, 0xF1, 0x00, 0x00].prefix(octets))) }
            if ending == .close {
                peer.finishWriting()
            }
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "connect") {
                await expectErrorAsync(ending == .silence ? .handshakeTimeout : .unexpectedEndOfStream) {
                    try await connectClient(
                        to: endpoint, serializer: jsonSerializer,
                        configuration: ending == .silence ? Self.shortHandshakeTimeout : Self.shortTimeouts)
                }
            }
        }
    }

    // MARK: Frames

    struct FrameCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// Whether the server closes its side (FIN) after the bytes.
        var thenClose: Bool = false
        var error: RawSocketError.Code
        var testDescription: String { name }
    }

    /// The client of these cases announces 1024 octets.
    static let clientLimit = 1024

    static let frameCases: [FrameCase] = [
        FrameCase(name: "a frame of 1025 over our limit 1024, header only", bytes: rawHeader(first: 0x00, length: 1025), error: .frameTooLarge),
        FrameCase(name: "a PING of 2^24 - 1 over our limit, header only", bytes: rawHeader(first: 0x01, length: 0xFF_FFFF), error: .frameTooLarge),
        FrameCase(name: "the X bit with our limit 1024", bytes: rawHeader(first: 0x08, length: 0), error: .frameTooLarge),
        FrameCase(name: "frame type 3", bytes: rawHeader(first: 0x03, length: 0), error: .reservedFrameType),
        FrameCase(name: "frame type 7", bytes: rawHeader(first: 0x07, length: 2) + [0, 0], error: .reservedFrameType),
        FrameCase(name: "reserved header bits 0x80", bytes: rawHeader(first: 0x80, length: 1) + [0], error: .reservedBitsSet),
        FrameCase(name: "the server closes mid-header", bytes: [0x00, 0x00, 0x10], thenClose: true, error: .unexpectedEndOfStream),
        FrameCase(name: "the server closes mid-payload", bytes: rawHeader(first: 0x00, length: 200) + patternedPayload(199), thenClose: true, error: .unexpectedEndOfStream),
        FrameCase(name: "the server sends invalid JSON", bytes: frameBytes(.message, Array("[2, 1".utf8)), error: .invalidMessage),
        FrameCase(name: "the server sends JSON that is not a WAMP message", bytes: frameBytes(.message, Array("[2, \"x\", {}]".utf8)), error: .invalidMessage),
    ]

    @Test("a bad frame from the server makes the inbound sequence throw a typed error and closes the connection", arguments: frameCases)
    func badFrame(_ testCase: FrameCase) async throws {
        let (ends, ended) = AsyncStream<[UInt8]>.makeStream()
        try await withScriptedServer({ raw, peer in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF1, 0x00, 0x00])
            try await raw.write(testCase.bytes)
            if testCase.thenClose { peer.finishWriting() }
            ended.yield(await raw.readToEnd())
        }) { endpoint in
            try await withTimeout(30, "bad frame") {
                let connection = try await connectClient(
                    to: endpoint, serializer: jsonSerializer,
                    configuration: .init { $0.maxReceiveLength = Self.clientLimit; $0.closeTimeout = .milliseconds(300) })
                await expectErrorAsync(testCase.error) {
                    for try await message in connection.inbound { Issue.record("unexpected \(message)") }
                }
                await connection.closed
                var iterator = ends.makeAsyncIterator()
                #expect(await iterator.next() == [], "the client closed without sending anything")
                await expectClosedConnectionError {
                    try await connection.send(.goodbye(.init(details: [:], reason: "wamp.close.normal")))
                }
            }
        }
    }

    @Test("a server closing at a frame boundary ends the inbound sequence without an error")
    func cleanCloseEndsInbound() async throws {
        try await withScriptedServer({ raw, peer in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF1, 0x00, 0x00] + frameBytes(.message, Array("[6,{},\"wamp.close.normal\"]".utf8)))
            peer.finishWriting()
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "clean close") {
                let connection = try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                var received: [WAMPMessage] = []
                for try await message in connection.inbound { received.append(message) }
                #expect(received == [.goodbye(.init(details: [:], reason: "wamp.close.normal"))])
                try await connection.close()
            }
        }
    }

    // MARK: PING and PONG

    @Test("a flood of 2000 PINGs from the server is answered, each PONG in order, while messages still arrive")
    func pingFloodAnsweredInOrder() async throws {
        let count = 2000
        let (results, result) = AsyncStream<(answered: Int, inOrder: Bool)>.makeStream()
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            var flood: [UInt8] = [0x7F, 0xF1, 0x00, 0x00]
            for index in 0 ..< count {
                flood += frameBytes(.ping, BadInputServerTests.pingPayload(index))
                if index == count / 2 { flood += frameBytes(.message, Array("[17,1,2]".utf8)) }
            }
            try await raw.write(flood)
            var inOrder = true
            var answered = 0
            for index in 0 ..< count {
                guard let frame = try await raw.readFrame() else { break }
                if frame.type != 0x02 || frame.payload != BadInputServerTests.pingPayload(index) { inOrder = false }
                answered += 1
            }
            result.yield((answered, inOrder))
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(20, "PING flood") {
                let connection = try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == .published(.init(request: 1, publication: 2)))
                var iterator = results.makeAsyncIterator()
                let outcome = try #require(await iterator.next())
                #expect(outcome.answered == count)
                #expect(outcome.inOrder)
                try await connection.close()
            }
        }
    }

    @Test("PONGs the client never asked for are ignored")
    func unsolicitedPongsIgnored() async throws {
        try await withScriptedServer({ raw, _ in
            _ = try await raw.read(4)
            try await raw.write(
                [0x7F, 0xF1, 0x00, 0x00] + frameBytes(.pong, []) + frameBytes(.pong, patternedPayload(500))
                    + frameBytes(.message, Array("[17,1,2]".utf8)))
            _ = await raw.readToEnd()
        }) { endpoint in
            try await withTimeout(30, "unsolicited PONGs") {
                let connection = try await connectClient(to: endpoint, serializer: jsonSerializer, configuration: Self.shortTimeouts)
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == .published(.init(request: 1, publication: 2)))
                // The connection is still open and usable.
                try await connection.send(.published(.init(request: 3, publication: 4)))
                try await connection.close()
            }
        }
    }
}
