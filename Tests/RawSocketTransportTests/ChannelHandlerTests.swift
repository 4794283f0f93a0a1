import Logging
import NIOCore
import NIOEmbedded
@_spi(SansIO) @testable import RawSocketTransport
import Testing
import Transport

/// `RawSocketChannelHandler` on an `EmbeddedChannel`: what it writes, passes on, and when it
/// closes.
/// A value set by a callback on an `EmbeddedEventLoop` (everything runs on the test's thread).
final class EmbeddedBox<T>: @unchecked Sendable {
    var value: T?
}

/// The error of an already completed future on an `EmbeddedEventLoop`; `nil` when it
/// succeeded or is not complete.
func failure<T>(of future: EventLoopFuture<T>) -> (any Error)? {
    let box = EmbeddedBox<any Error>()
    future.whenFailure { box.value = $0 }
    return box.value
}

@Suite("Channel handler")
struct ChannelHandlerTests {
    /// An embedded channel with the handler installed, not yet active.
    ///
    /// A class so that it can finish its channel when the test is done: that closes the
    /// channel if it is still open and runs the loop once more, which lets the pipeline remove
    /// its handlers and so breaks the channel <-> pipeline <-> handler references (without it,
    /// LeakSanitizer reports every harness as leaked).
    final class Harness {
        let loop: EmbeddedEventLoop
        let channel: EmbeddedChannel
        let handshake: EventLoopFuture<RawSocketStateMachine.Negotiation>
        let handler: RawSocketChannelHandler

        init(role: RawSocketStateMachine.Role, configuration: RawSocketConfiguration = .init(), activate: Bool = true) throws {
            loop = EmbeddedEventLoop()
            channel = EmbeddedChannel(loop: loop)
            let promise = loop.makePromise(of: RawSocketStateMachine.Negotiation.self)
            handshake = promise.futureResult
            handler = RawSocketChannelHandler(
                role: role, configuration: configuration, metrics: TransportMetrics(transport: "rawsocket", role: .server),
                logger: Logger(label: "test"), handshakePromise: promise)
            try channel.pipeline.syncOperations.addHandler(handler)
            if activate { try self.activate() }
        }

        deinit {
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }

        func activate() throws {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
        }

        /// Everything written so far, as one octet array (empty buffers contribute nothing).
        /// What the handler wrote, after the loop ran its pending tasks (the coalesced flush).
        func written() throws -> [UInt8] {
            loop.run()
            var all: [UInt8] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { all += bytes(buffer) }
            return all
        }

        /// Feeds octets; returns the error the pipeline reported, if any.
        @discardableResult
        func feed(_ octets: [UInt8]) -> (any Error)? {
            do {
                try channel.writeInbound(ByteBuffer(bytes: octets))
                return nil
            } catch {
                return error
            }
        }

        func readPayloads() throws -> [[UInt8]] {
            var all: [[UInt8]] = []
            while let buffer = try channel.readInbound(as: ByteBuffer.self) { all.append(bytes(buffer)) }
            return all
        }

        /// The handshake's failure, if it failed.
        var handshakeError: RawSocketError? { failure(of: handshake) as? RawSocketError }

        var negotiation: RawSocketStateMachine.Negotiation? {
            let box = EmbeddedBox<RawSocketStateMachine.Negotiation>()
            handshake.whenSuccess { box.value = $0 }
            return box.value
        }
    }

    static let server = RawSocketStateMachine.Role.server(acceptedSerializers: [1, 2], refusal: nil)

    /// A server harness past the handshake with a client announcing `clientLength`.
    static func openServer(clientLength: Int = 512, configuration: RawSocketConfiguration = .init()) throws -> Harness {
        let h = try Harness(role: server, configuration: configuration)
        h.feed(octets(RawSocketHandshake.Request(maxLength: clientLength, serializer: 1).encoded))
        _ = try h.written()
        #expect(h.negotiation != nil)
        return h
    }

    @Test("the client writes its handshake request when the channel becomes active")
    func clientWritesRequestOnActivation() throws {
        var configuration = RawSocketConfiguration()
        configuration.maxReceiveLength = 1 << 16
        let h = try Harness(role: .client(serializer: 1), configuration: configuration, activate: false)
        #expect(try h.written() == [])
        try h.activate()
        #expect(try h.written() == [0x7F, 0x71, 0x00, 0x00])
        #expect(h.channel.isActive)
    }

    @Test("a handler added to an active channel starts at once")
    func handlerAddedToActiveChannelStarts() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4000)).wait()
        let handler = RawSocketChannelHandler(
            role: .client(serializer: 2), configuration: .init(),
            metrics: TransportMetrics(transport: "rawsocket", role: .client), logger: Logger(label: "test"),
            handshakePromise: loop.makePromise())
        try channel.pipeline.syncOperations.addHandler(handler)
        #expect(try channel.readOutbound(as: ByteBuffer.self).map(bytes) == [0x7F, 0xF2, 0x00, 0x00])
        _ = try? channel.finish()
    }

    @Test("the server answers the request with its reply and passes message payloads on as ByteBuffers")
    func serverRepliesAndPassesPayloadsOn() throws {
        var configuration = RawSocketConfiguration()
        configuration.maxReceiveLength = 4096
        let h = try Harness(role: Self.server, configuration: configuration)
        #expect(try h.written() == [], "a server speaks only after the request")
        #expect(h.feed([0x7F, 0x02, 0x00, 0x00]) == nil)
        #expect(try h.written() == [0x7F, 0x32, 0x00, 0x00])
        let negotiation = try #require(h.negotiation)
        #expect(negotiation.serializer == 2)
        #expect(negotiation.maxSendLength == 512)
        #expect(negotiation.maxReceiveLength == 4096)

        #expect(h.feed(frameBytes(.message, Array("hello".utf8))) == nil)
        #expect(try h.readPayloads() == [Array("hello".utf8)])
        // Two frames in one read, and one split across reads.
        let two = frameBytes(.message, [1]) + frameBytes(.message, patternedPayload(1000))
        h.feed(Array(two[..<7]))
        h.feed(Array(two[7...]))
        #expect(try h.readPayloads() == [[1], patternedPayload(1000)])
        #expect(try h.written() == [])
        #expect(h.channel.isActive)
    }

    @Test("a request arriving with the first frames in one read: reply first, then the PONG; the payload passes on")
    func serverRequestWithFramesInOneRead() throws {
        let h = try Harness(role: Self.server)
        let read = [0x7F, 0x01, 0x00, 0x00] + frameBytes(.message, [42]) + frameBytes(.ping, [7, 7])
        #expect(h.feed(read) == nil)
        #expect(try h.written() == [0x7F, 0xF1, 0x00, 0x00] + frameBytes(.pong, [7, 7]))
        #expect(try h.readPayloads() == [[42]])
        #expect(h.negotiation?.serializer == 1)
    }

    @Test("a PING is answered with a PONG written immediately")
    func pingAnsweredImmediately() throws {
        let h = try Self.openServer()
        h.feed(frameBytes(.ping, Array("are you there".utf8)))
        #expect(try h.written() == frameBytes(.pong, Array("are you there".utf8)))
        #expect(try h.readPayloads() == [], "PINGs never reach the application")
        h.feed(frameBytes(.pong, [1, 2, 3]))
        #expect(try h.written() == [], "an unsolicited PONG is ignored")
        #expect(h.channel.isActive)
    }

    @Test("a bad magic octet closes the channel with no bytes written")
    func badMagicClosesWithoutWriting() throws {
        let h = try Harness(role: Self.server)
        let error = h.feed(Array("GET / HTTP/1.1\r\n".utf8))
        #expect((error as? RawSocketError)?.code == .badMagic)
        #expect(!h.channel.isActive)
        #expect(try h.written() == [])
        #expect(h.handshakeError?.code == .badMagic)
    }

    @Test("an unsupported serializer gets the error reply, then the channel closes")
    func unsupportedSerializerGetsErrorReplyThenClose() throws {
        let h = try Harness(role: .server(acceptedSerializers: [1], refusal: nil))
        let error = h.feed([0x7F, 0xF2, 0x00, 0x00])
        #expect((error as? RawSocketError)?.code == .serializerUnsupported)
        #expect(try h.written() == [0x7F, 0x10, 0x00, 0x00])
        #expect(!h.channel.isActive)
        #expect(h.handshakeError?.code == .serializerUnsupported)
    }

    @Test("the handshake timeout closes the channel with handshakeTimeout")
    func handshakeTimeoutCloses() throws {
        var configuration = RawSocketConfiguration()
        configuration.handshakeTimeout = .seconds(2)
        let h = try Harness(role: Self.server, configuration: configuration)
        h.loop.advanceTime(by: .milliseconds(1999))
        #expect(h.channel.isActive)
        h.loop.advanceTime(by: .milliseconds(1))
        #expect(!h.channel.isActive)
        #expect(h.handshakeError?.code == .handshakeTimeout)
        #expect(throws: RawSocketError.self) { try h.channel.throwIfErrorCaught() }
        #expect(try h.written() == [])
    }

    @Test("the handshake timeout also bounds a half-received request")
    func handshakeTimeoutWithPartialRequest() throws {
        var configuration = RawSocketConfiguration()
        configuration.handshakeTimeout = .milliseconds(100)
        let h = try Harness(role: .client(serializer: 1), configuration: configuration)
        _ = try h.written()
        h.feed([0x7F, 0xF1])
        h.loop.advanceTime(by: .milliseconds(100))
        #expect(!h.channel.isActive)
        #expect(h.handshakeError?.code == .handshakeTimeout)
    }

    @Test("a completed handshake cancels the timeout")
    func completedHandshakeCancelsTimeout() throws {
        var configuration = RawSocketConfiguration()
        configuration.handshakeTimeout = .seconds(1)
        let h = try Self.openServer(configuration: configuration)
        h.loop.advanceTime(by: .seconds(5))
        #expect(h.channel.isActive)
        #expect(try h.written() == [])
    }

    @Test("an outbound frame over the peer's limit fails its promise with messageTooLarge and the channel stays open")
    func outboundFrameOverPeerLimitFailsPromise() throws {
        let h = try Self.openServer(clientLength: 512)
        var tooBig = ByteBuffer()
        RawSocketFrameHeader(type: .message, length: 513).write(to: &tooBig)
        tooBig.writeBytes(patternedPayload(513))
        let failed = h.channel.writeAndFlush(tooBig)
        #expect((failure(of: failed) as? RawSocketError)?.code == .messageTooLarge)
        #expect(h.channel.isActive)
        #expect(try h.written() == [])

        // At the limit it goes through.
        var atLimit = ByteBuffer()
        RawSocketFrameHeader(type: .message, length: 512).write(to: &atLimit)
        atLimit.writeBytes(patternedPayload(512))
        let frameWrite = h.channel.writeAndFlush(atLimit)
        #expect(try h.written() == frameBytes(.message, patternedPayload(512)))
        try frameWrite.wait()
    }

    @Test("flushes are coalesced: a burst of messages is written by one flush after the loop ran what was queued")
    func flushesAreCoalesced() throws {
        let h = try Self.openServer(clientLength: 512)
        let writes = (1 ... 3).map { i in h.channel.writeAndFlush(ByteBuffer(bytes: frameBytes(.message, [UInt8(i)]))) }
        // Nothing has left yet: the flush waits for the event loop's next turn.
        #expect(try h.channel.readOutbound(as: ByteBuffer.self) == nil)
        h.loop.run()
        for write in writes { try write.wait() }
        #expect(try h.written() == frameBytes(.message, [1]) + frameBytes(.message, [2]) + frameBytes(.message, [3]))
    }

    /// The buffers the handler passed on, one array each, without running the loop.
    static func outboundBuffers(_ h: Harness) throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        while let buffer = try h.channel.readOutbound(as: ByteBuffer.self) { all.append(bytes(buffer)) }
        return all
    }

    @Test("small frames written without a promise leave in order as one buffer, with one flush after the loop ran")
    func smallFramesAreGathered() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        for i in 1 ... 3 {
            h.channel.write(ByteBuffer(bytes: frameBytes(.message, [UInt8(i), 0xAA])), promise: nil)
            h.channel.flush()
        }
        #expect(try Self.outboundBuffers(h) == [], "nothing leaves before the loop's next turn")
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [
            frameBytes(.message, [1, 0xAA]) + frameBytes(.message, [2, 0xAA]) + frameBytes(.message, [3, 0xAA])
        ])
    }

    @Test("a full slice of gathered frames is written and flushed at once, without waiting for the loop")
    func fullSliceLeavesAtOnce() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        let batch = FlushCoalescer.defaultBatch
        for i in 0 ..< batch + 1 {
            h.channel.write(ByteBuffer(bytes: frameBytes(.message, [UInt8(i)])), promise: nil)
            h.channel.flush()
        }
        #expect(try Self.outboundBuffers(h) == [(0 ..< batch).flatMap { frameBytes(.message, [UInt8($0)]) }])
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [frameBytes(.message, [UInt8(batch)])])
    }

    @Test("a large frame, a frame with a promise and a PONG each leave after the frames gathered before them")
    func gatheredFramesKeepTheirPlace() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        let large = patternedPayload(RawSocketChannelHandler.maxGatheredFrame)
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [1])), promise: nil)
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, large)), promise: nil)
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [2])), promise: nil)
        let acknowledged = h.channel.write(ByteBuffer(bytes: frameBytes(.message, [3])))
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [4])), promise: nil)
        h.feed(frameBytes(.ping, [9]))
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [5])), promise: nil)
        h.channel.flush()
        h.loop.run()
        try acknowledged.wait()
        #expect(try Self.outboundBuffers(h) == [
            frameBytes(.message, [1]), frameBytes(.message, large), frameBytes(.message, [2]),
            frameBytes(.message, [3]), frameBytes(.message, [4]), frameBytes(.pong, [9]), frameBytes(.message, [5]),
        ])
    }

    /// Writes a message frame carrying `payload` in place, as a connection on the loop does.
    static func gatherInPlace(_ h: Harness, _ payload: [UInt8]) throws {
        _ = try h.handler.gatherFrame { buffer in
            buffer.writeBytes(frameBytes(.message, payload))
            return payload.count
        }
    }

    @Test("frames written in place join the frames gathered around them, in order, and leave as one buffer after the loop ran")
    func framesWrittenInPlaceAreGathered() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [1])), promise: nil)
        h.channel.flush()
        try Self.gatherInPlace(h, [2, 2])
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [3])), promise: nil)
        h.channel.flush()
        try Self.gatherInPlace(h, [4])
        #expect(try Self.outboundBuffers(h) == [], "nothing leaves before the loop's next turn")
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [
            frameBytes(.message, [1]) + frameBytes(.message, [2, 2]) + frameBytes(.message, [3]) + frameBytes(.message, [4])
        ])
    }

    @Test("the buffer of a burst written in place is reused after it was written, never while the channel still holds it")
    func inPlaceBufferIsNotWrittenOverWhileHeld() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        try Self.gatherInPlace(h, [1, 1, 1])
        try Self.gatherInPlace(h, [1])
        h.loop.run()
        // The channel still holds the first buffer (it is not read yet): the next frames go to
        // new storage, and the bytes of the first stay as they were.
        try Self.gatherInPlace(h, [2, 2, 2])
        try Self.gatherInPlace(h, [2])
        h.loop.run()
        try Self.gatherInPlace(h, [3])
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [
            frameBytes(.message, [1, 1, 1]) + frameBytes(.message, [1]),
            frameBytes(.message, [2, 2, 2]) + frameBytes(.message, [2]),
            frameBytes(.message, [3]),
        ])
        // Read: the channel let the buffers go, and the next burst reuses one of them.
        try Self.gatherInPlace(h, [4, 4])
        try Self.gatherInPlace(h, [4])
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [frameBytes(.message, [4, 4]) + frameBytes(.message, [4])])
    }

    @Test("frames written in place past 4 KiB are passed on before the next frame, which starts a buffer of its own")
    func largeInPlaceFramesAreNotGrownTogether() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        let large = patternedPayload(FlushCoalescer.inPlaceBufferLimit)
        try Self.gatherInPlace(h, [1])
        try Self.gatherInPlace(h, large)
        try Self.gatherInPlace(h, [2])
        try Self.gatherInPlace(h, [3])
        #expect(try Self.outboundBuffers(h) == [], "nothing is flushed before the loop's next turn")
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [
            frameBytes(.message, [1]) + frameBytes(.message, large), frameBytes(.message, [2]) + frameBytes(.message, [3]),
        ])
    }

    @Test("a frame written in place that fails leaves nothing behind; one written before the handshake is refused with connectionClosed")
    func failedInPlaceFrameLeavesNothing() throws {
        let h = try Self.openServer(clientLength: 1 << 20)
        try Self.gatherInPlace(h, [1])
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try h.handler.gatherFrame { _ in throw Refused() }
        }
        try Self.gatherInPlace(h, [2])
        h.loop.run()
        #expect(try Self.outboundBuffers(h) == [frameBytes(.message, [1]) + frameBytes(.message, [2])])

        let client = try Harness(role: .client(serializer: 1))
        _ = try client.written()
        let error = #expect(throws: RawSocketError.self) { try Self.gatherInPlace(client, [1]) }
        #expect(error?.code == .connectionClosed)
        #expect(try client.written() == [])
    }

    @Test("a frame over the peer's limit is refused, not gathered; the frames around it leave")
    func frameOverLimitIsNotGathered() throws {
        let h = try Self.openServer(clientLength: 512)
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [1])), promise: nil)
        let tooBig = h.channel.write(ByteBuffer(bytes: frameBytes(.message, patternedPayload(513))))
        h.channel.write(ByteBuffer(bytes: frameBytes(.message, [2])), promise: nil)
        h.channel.flush()
        h.loop.run()
        #expect((failure(of: tooBig) as? RawSocketError)?.code == .messageTooLarge)
        #expect(try Self.outboundBuffers(h) == [frameBytes(.message, [1]) + frameBytes(.message, [2])])
        #expect(h.channel.isActive)
    }

    @Test("an outbound message before the handshake completed fails with connectionClosed")
    func outboundBeforeHandshakeFails() throws {
        let h = try Harness(role: .client(serializer: 1))
        _ = try h.written()
        let write = h.channel.writeAndFlush(ByteBuffer(bytes: frameBytes(.message, [1])))
        #expect((failure(of: write) as? RawSocketError)?.code == .connectionClosed)
        #expect(try h.written() == [])
    }

    @Test("a client accepts the reply together with the first frame in one read")
    func clientReplyWithFirstFrameInOneRead() throws {
        let h = try Harness(role: .client(serializer: 1))
        _ = try h.written()
        h.feed([0x7F, 0x01, 0x00, 0x00] + frameBytes(.message, Array("[2,1,{}]".utf8)))
        #expect(h.negotiation?.maxSendLength == 512)
        #expect(try h.readPayloads() == [Array("[2,1,{}]".utf8)])
    }

    @Test("a client refused with error 4 fails the handshake carrying the code and closes")
    func clientRefusedFailsHandshake() throws {
        let h = try Harness(role: .client(serializer: 1))
        _ = try h.written()
        let error = h.feed([0x7F, 0x40, 0x00, 0x00])
        #expect((error as? RawSocketError)?.handshakeErrorCode == .maxConnectionCountReached)
        #expect(h.handshakeError?.code == .handshakeRefused)
        #expect(h.handshakeError?.handshakeErrorCode == .maxConnectionCountReached)
        #expect(!h.channel.isActive)
    }

    @Test("keepalive PINGs go out each interval; unanswered ones close the channel with tooManyUnansweredPings")
    func keepaliveClosesSilentPeer() throws {
        var configuration = RawSocketConfiguration()
        configuration.pingInterval = .seconds(1)
        configuration.maxPings = 2
        let h = try Self.openServer(configuration: configuration)
        h.loop.advanceTime(by: .milliseconds(999))
        #expect(try h.written() == [])
        h.loop.advanceTime(by: .milliseconds(1))
        let first = try h.written()
        #expect(first.first == 0x01 && first.count > 4)
        h.loop.advanceTime(by: .seconds(1))
        #expect(try h.written().first == 0x01)
        #expect(h.channel.isActive)
        h.loop.advanceTime(by: .seconds(1))
        #expect(!h.channel.isActive)
        #expect(throws: RawSocketError.self) { try h.channel.throwIfErrorCaught() }
    }

    @Test("keepalive PINGs answered with PONGs keep the channel open")
    func answeredKeepaliveKeepsOpen() throws {
        var configuration = RawSocketConfiguration()
        configuration.pingInterval = .seconds(1)
        configuration.maxPings = 1
        let h = try Self.openServer(configuration: configuration)
        // A PING goes out after an interval without traffic; the PONG to it is traffic, so the
        // next PING comes an interval later.
        var pings = 0
        for _ in 0 ..< 10 {
            h.loop.advanceTime(by: .seconds(1))
            let ping = try h.written()
            guard !ping.isEmpty else { continue }
            #expect(ping.first == 0x01)
            pings += 1
            h.feed(frameBytes(.pong, Array(ping.dropFirst(4))))
        }
        #expect(pings >= 3)
        #expect(h.channel.isActive)
    }

    @Test("checkHeartbeat's event writes a PING at once")
    func heartbeatEventWritesPing() throws {
        let h = try Self.openServer()
        try h.channel.pipeline.triggerUserOutboundEvent(RawSocketHeartbeatEvent()).wait()
        let ping = try h.written()
        #expect(ping.count == 12)
        #expect(Array(ping.prefix(4)) == [0x01, 0x00, 0x00, 0x08])
    }

    @Test("a peer closing during the handshake fails it")
    func closeDuringHandshakeFailsHandshake() throws {
        let h = try Harness(role: .client(serializer: 1))
        _ = try h.written()
        h.feed([0x7F])
        _ = try? h.channel.close().wait()
        #expect(h.handshakeError != nil)
        #expect([RawSocketError.Code.unexpectedEndOfStream, .connectionClosed].contains(h.handshakeError?.code))
    }
}
