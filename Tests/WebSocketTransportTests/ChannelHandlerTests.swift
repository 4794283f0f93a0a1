import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
import Transport
@testable import WebSocketTransport

/// The channel handler on an `EmbeddedChannel`: frames in, frames out, virtual time.
///
/// A class, so that `deinit` finishes the channels a test made (an unfinished `EmbeddedChannel`
/// keeps its pipeline alive, which LeakSanitizer reports).
@Suite("WebSocket channel handler")
final class ChannelHandlerTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    private var channels: [EmbeddedChannel] = []

    deinit {
        for channel in channels { _ = try? channel.finish(acceptAlreadyClosed: true) }
    }

    /// A client-side handler by default: the frames a server sends it are not masked.
    func makeChannel(binary: Bool = false, isClient: Bool = true, configuration: WebSocketConfiguration = .init { $0.pingInterval = nil }) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            WebSocketChannelHandler(
                binary: binary, isClient: isClient, configuration: configuration,
                metrics: TransportMetrics(transport: "websocket", role: isClient ? .client : .server), logger: Self.logger))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channels.append(channel)
        return channel
    }

    @Test("a PING is answered with a PONG carrying its payload")
    func pingIsAnswered() throws {
        let channel = try makeChannel()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "are you there")))
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(pong.data == ByteBuffer(string: "are you there"))  // the encoder masks it
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    @Test("messages go out as text frames for JSON, binary for MessagePack; only a client masks them")
    func outboundFrames() throws {
        let server = try makeChannel(binary: false, isClient: false)
        // The handler coalesces flushes: the frame leaves when the loop runs its queued tasks.
        let serverWrite = server.writeAndFlush(ByteBuffer(string: "[1]"))
        server.embeddedEventLoop.run()
        try serverWrite.wait()
        let text = try #require(try server.readOutbound(as: WebSocketFrame.self))
        #expect(text.opcode == .text && text.fin && text.maskKey == nil && text.data == ByteBuffer(string: "[1]"))
        let client = try makeChannel(binary: true, isClient: true)
        let clientWrite = client.writeAndFlush(ByteBuffer(bytes: [0x91, 0x01]))
        client.embeddedEventLoop.run()
        try clientWrite.wait()
        let binary = try #require(try client.readOutbound(as: WebSocketFrame.self))
        #expect(binary.opcode == .binary && binary.maskKey != nil)
        // The frame encoder applies the mask: the handler hands it the data unmasked.
        #expect(binary.data == ByteBuffer(bytes: [0x91, 0x01]))
    }

    @Test("a server closes with 1002 on an unmasked frame from a client")
    func serverRequiresMasking() throws {
        let channel = try makeChannel(isClient: false)
        #expect {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "[1]")))
        } throws: { ($0 as? WebSocketError)?.code == .protocolViolation }
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1002)
        let masked = try makeChannel(isClient: false)
        var data = ByteBuffer(string: "[1]")
        let key: WebSocketMaskingKey = [1, 2, 3, 4]
        data.webSocketMask(key)
        try masked.writeInbound(WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: data))
        #expect(try masked.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "[1]"))
    }

    @Test("fragments are passed on as one message")
    func reassembles() throws {
        let channel = try makeChannel()
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "[36,")))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "1]")))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "[36,1]"))
    }

    @Test("an oversize message is answered with close code 1009 and the connection fails with messageTooLarge")
    func oversizeCloses() throws {
        let channel = try makeChannel(configuration: .init { $0.maxReceiveLength = 8; $0.pingInterval = nil })
        #expect {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "[1,\"1234567890\"]")))
        } throws: { ($0 as? WebSocketError)?.code == .messageTooLarge }
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1009)
        #expect(!channel.isActive)
    }

    @Test("the peer's close is echoed and the socket closed; a 1000 close ends without an error")
    func peerCloseIsEchoed() throws {
        let channel = try makeChannel()
        var body = ByteBuffer()
        body.writeInteger(UInt16(1000))
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: body))
        let reply = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(reply.opcode == .connectionClose && reply.data == body)
        try channel.throwIfErrorCaught()
        #expect(!channel.isActive)
    }

    @Test("a quiet connection is PINGed after the interval and closed with 1008 when no PONG comes")
    func keepalive() throws {
        let channel = try makeChannel(configuration: .init { $0.pingInterval = .seconds(10); $0.pingTimeout = .seconds(5) })
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        let ping = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(ping.opcode == .ping)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1008)
        #expect { try channel.throwIfErrorCaught() } throws: { ($0 as? WebSocketError)?.code == .pingTimeout }
    }

    @Test("a PONG with the PING's payload keeps the connection open")
    func pongKeepsOpen() throws {
        let channel = try makeChannel(configuration: .init { $0.pingInterval = .seconds(10); $0.pingTimeout = .seconds(5) })
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        let ping = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .pong, data: ping.data))
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        #expect(channel.isActive)
        try channel.throwIfErrorCaught()
    }
}
