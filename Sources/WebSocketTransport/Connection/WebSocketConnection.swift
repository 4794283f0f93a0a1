public import NIOCore
public import Transport

/// One open WAMP-over-WebSocket connection, client or server side: typed WAMP messages in and
/// out through the serializer chosen by the subprotocol negotiation (`wamp.2.json` in text
/// frames, `wamp.2.msgpack` in binary frames), plus a payload-level API.
///
/// Obtain one from ``WebSocketClient`` or ``WebSocketServer``. Iterate ``inbound`` (typed
/// messages) or ``payloads`` (raw message payloads) once, not both. PINGs, PONGs and
/// fragmentation are handled below this API.
///
/// ```swift
/// try await WebSocketClient.withConnection(to: try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws"),
///                                          serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()]) { connection in
///     try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["subscriber": [:]]])))
///     for try await message in connection.inbound { print(message) }
/// }
/// ```
public final class WebSocketConnection: WAMPTransport {
    /// The typed messages received, in order. See ``WAMPTransport/inbound``.
    public typealias Inbound = WebSocketMessageSequence

    /// The serializer chosen by the subprotocol negotiation.
    public let serializer: any WAMPSerializer
    /// The negotiated subprotocol, `wamp.2.` and the serializer's name.
    public var subprotocol: String { serializer.id.webSocketSubprotocol }
    /// The largest message this side sends: ``WebSocketConfiguration/maxSendSize`` (WebSocket
    /// does not tell the peer's limit).
    public let maxSendLength: Int
    /// The largest message this side accepts: ``WebSocketConfiguration/maxMessageSize``.
    public let maxReceiveLength: Int
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?

    private let bridge: ChannelBridge
    private var channel: any Channel { bridge.channel }
    private let eventLoopExecutor: EventLoopTaskExecutor

    /// The connection's event loop as a task executor (see ``WAMPTransport/executor``): a task
    /// that prefers it takes received messages and sends without a thread hop per message.
    /// Code that prefers it must not block.
    public var executor: (any TaskExecutor)? { eventLoopExecutor }
    private let allocator: ByteBufferAllocator
    private let closeTimeout: TimeAmount

    init(bridge: ChannelBridge, serializer: any WAMPSerializer, configuration: WebSocketConfiguration) {
        self.bridge = bridge
        self.eventLoopExecutor = EventLoopTaskExecutor(bridge.channel.eventLoop)
        self.serializer = serializer
        self.maxSendLength = configuration.maxSendSize
        self.maxReceiveLength = configuration.maxMessageSize
        self.remoteAddress = bridge.channel.remoteAddress
        self.allocator = bridge.channel.allocator
        self.closeTimeout = configuration.closeTimeout
    }

    /// A connection nobody holds any more is closed.
    deinit {
        bridge.channel.close(promise: nil)
    }

    /// The typed messages received, in order. It ends when the peer closes with code 1000 or
    /// 1001 (or none), and throws a ``WebSocketError`` when the connection fails: a frame
    /// breaking the protocol, a message too large or of the wrong kind, another close code,
    /// a message that does not deserialize, an unanswered PING.
    public var inbound: WebSocketMessageSequence {
        WebSocketMessageSequence(payloads: bridge.payloads, serializer: serializer, channel: channel)
    }

    /// The raw payloads of the messages received (reassembled), in order, not deserialized.
    public var payloads: PayloadSequence { bridge.payloads }

    /// Serializes and sends a message in one text (JSON) or binary (MessagePack) frame.
    ///
    /// - Throws: ``WebSocketError/Code/messageTooLarge`` when the serialized message is longer
    ///   than ``maxSendLength`` (nothing is sent, the connection stays usable); the
    ///   serializer's error; an error when the connection is closed or closing.
    public func send(_ message: WAMPMessage) async throws {
        var buffer = allocator.buffer(capacity: 128)
        try serializer.serialize(message, into: &buffer)
        guard buffer.readableBytes <= maxSendLength else {
            throw WebSocketError(
                .messageTooLarge, "\(message.type) of \(buffer.readableBytes) octets exceeds the send limit of \(maxSendLength) octets")
        }
        try await bridge.write(buffer)
    }

    /// Sends an already serialized message.
    ///
    /// - Throws: ``WebSocketError/Code/messageTooLarge`` over ``maxSendLength`` (nothing is
    ///   sent); an error when the connection is closed.
    public func send(payload: ByteBuffer) async throws {
        guard payload.readableBytes <= maxSendLength else {
            throw WebSocketError(
                .messageTooLarge, "a payload of \(payload.readableBytes) octets exceeds the send limit of \(maxSendLength) octets")
        }
        try await bridge.write(payload)
    }

    /// Closes the connection with close code 1000: messages already sent are written first,
    /// then the close frame; the socket is closed when the peer answers, or after the
    /// configuration's `closeTimeout`.
    public func close() async throws {
        try await close(code: WebSocketCloseCode.normalClosure)
    }

    /// Closes the connection with a close code (1000 normal, 1001 going away, 3000-4999 for
    /// applications).
    public func close(code: UInt16) async throws {
        bridge.closeOutput()
        guard channel.isActive else { return }
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
        try? await channel.triggerUserOutboundEvent(WebSocketCloseRequest(code: code)).get()
        try? await channel.closeFuture.get()
        deadline.cancel()
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async { try? await channel.closeFuture.get() }
    }
}
