public import NIOCore
public import Transport
import Logging

/// One open RawSocket connection, client or server side: typed WAMP messages in and out
/// through the negotiated serializer, plus a payload-level API for already serialized
/// messages.
///
/// Obtain one from ``RawSocketClient`` or ``RawSocketServer``. Iterate ``inbound`` (typed
/// messages) or ``payloads`` (raw message payloads) once, not both.
///
/// ```swift
/// try await RawSocketClient.withConnection(to: .tcp(host: "127.0.0.1", port: 8080), serializer: WAMPMsgPackSerializer()) { connection in
///     try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["subscriber": [:]]])))
///     for try await message in connection.inbound { print(message) }
/// }
/// ```
public final class RawSocketConnection: WAMPTransport {
    /// The typed messages received, in order. See ``WAMPTransport/inbound``.
    public typealias Inbound = RawSocketMessageSequence

    /// The serializer chosen by the handshake.
    public let serializer: any WAMPSerializer
    /// The negotiated serialization (the seed's `get_serialization`).
    public var serialization: WAMPSerializerID { serializer.id }
    /// The peer's receive limit: the largest payload this side may send (the seed's
    /// `get_max_send_length`).
    public let maxSendLength: Int
    /// This side's announced receive limit.
    public let maxReceiveLength: Int
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?

    /// The connection's event loop as a task executor. A task that prefers it
    /// (`withTaskExecutorPreference(connection.executor) { ... }`) takes received messages
    /// and sends on the thread that does the connection's I/O: no thread hop per message.
    /// ``RawSocketServer/run(_:)`` handlers and ``RawSocketClient/withConnection(to:serializer:configuration:tlsConfiguration:serverHostname:eventLoopGroup:logger:_:)``
    /// bodies run on it unless the configuration's ``RawSocketConfiguration/runsOnEventLoop`` is off.
    /// Code that prefers it must not block.
    public var executor: (any TaskExecutor)? { eventLoopExecutor }

    private let bridge: ChannelBridge
    private var channel: any Channel { bridge.channel }
    private let allocator: ByteBufferAllocator
    private let closeTimeout: TimeAmount
    private let eventLoopExecutor: EventLoopTaskExecutor

    init(
        bridge: ChannelBridge, serializer: any WAMPSerializer,
        negotiation: RawSocketStateMachine.Negotiation, closeTimeout: TimeAmount
    ) {
        self.closeTimeout = closeTimeout
        self.bridge = bridge
        self.serializer = serializer
        self.maxSendLength = negotiation.maxSendLength
        self.maxReceiveLength = negotiation.maxReceiveLength
        self.remoteAddress = bridge.channel.remoteAddress
        self.allocator = bridge.channel.allocator
        self.eventLoopExecutor = EventLoopTaskExecutor(bridge.channel.eventLoop)
    }

    /// A connection nobody holds any more is closed.
    deinit {
        bridge.channel.close(promise: nil)
    }

    /// The typed messages received, in order. It ends when the peer closes, and throws a
    /// ``RawSocketError`` when the connection fails: a frame breaking the protocol, a message
    /// that does not deserialize (``RawSocketError/Code/invalidMessage``, the connection is
    /// then closed), a keepalive timeout.
    public var inbound: RawSocketMessageSequence {
        RawSocketMessageSequence(payloads: bridge.payloads, serializer: serializer, channel: channel)
    }

    /// The raw payloads of the messages received, in order, not deserialized (the seed's
    /// `get_next_message`). PINGs and PONGs never appear here.
    public var payloads: PayloadSequence { bridge.payloads }

    /// Serializes and sends a message in one frame.
    ///
    /// - Throws: ``RawSocketError/Code/messageTooLarge`` when the serialized message is longer
    ///   than ``maxSendLength`` (nothing is sent, the connection stays usable); the
    ///   serializer's error; an error when the connection is closed.
    ///
    /// Concurrent senders never interleave: each message is one write of header and payload.
    /// When the peer stops reading, this waits: on the connection's event loop (see
    /// ``executor``) until the channel is writable again, elsewhere while more than the
    /// configuration's ``RawSocketConfiguration/maxUnwrittenSendBytes`` sent from other threads
    /// are not yet written.
    public func send(_ message: WAMPMessage) async throws {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeInteger(UInt32(0))
        try serializer.serialize(message, into: &buffer)
        let length = buffer.readableBytes - RawSocketFrameHeader.size
        guard length <= maxSendLength else {
            throw RawSocketError(
                .messageTooLarge, "\(message.type) of \(length) octets exceeds the peer's limit of \(maxSendLength) octets")
        }
        buffer.setInteger(RawSocketFrameHeader(type: .message, length: length).encoded, at: buffer.readerIndex)
        try await bridge.write(buffer)
    }

    /// Sends an already serialized message (the seed's `send_message`).
    ///
    /// - Throws: ``RawSocketError/Code/messageTooLarge`` over the peer's limit (nothing is
    ///   sent, the connection stays usable); an error when the connection is closed.
    public func send(payload: ByteBuffer) async throws {
        guard payload.readableBytes <= maxSendLength else {
            throw RawSocketError(
                .messageTooLarge,
                "a payload of \(payload.readableBytes) octets exceeds the peer's limit of \(maxSendLength) octets")
        }
        var buffer = allocator.buffer(capacity: RawSocketFrameHeader.size + payload.readableBytes)
        RawSocketFrameHeader(type: .message, length: payload.readableBytes).write(to: &buffer)
        buffer.writeImmutableBuffer(payload)
        try await bridge.write(buffer)
    }

    /// Sends a PING now (the seed's `check_heartbeat`). When more than `maxPings` PINGs are
    /// unanswered the connection is closed with ``RawSocketError/Code/tooManyUnansweredPings``.
    public func checkHeartbeat() async throws {
        try await channel.triggerUserOutboundEvent(RawSocketHeartbeatEvent()).get()
    }

    /// Writes everything sent so far, then closes the connection. When the peer does not
    /// read, the connection is closed anyway after the configuration's `closeTimeout`.
    public func close() async throws {
        bridge.closeOutput()
        guard channel.isActive else { return }
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
        try? await channel.writeAndFlush(ByteBuffer()).get()
        deadline.cancel()
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // Closed by the peer (or the deadline) meanwhile: nothing left to do.
        }
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async { try? await channel.closeFuture.get() }
    }
}
