package import NIOCore

/// The part of a connection that every transport on a SwiftNIO channel shares: the channel
/// bridge, the negotiated serializer and limits, the executor, sending typed and serialized
/// messages, and closing with a deadline. A transport's public connection type wraps one and
/// adds what is its own (RawSocket's heartbeat, WebSocket's close codes).
package struct ConnectionCore<Framing: MessageFraming>: Sendable {
    package let bridge: ChannelBridge
    package let serializer: any WAMPSerializer
    /// The largest serialized message this side may send.
    package let maxSendLength: Int
    /// The largest message this side accepts.
    package let maxReceiveLength: Int
    /// The longest ``close(reason:)`` waits before closing the socket anyway.
    package let closeTimeout: TimeAmount
    package let executor: EventLoopTaskExecutor
    /// The transport's metrics (protocol errors).
    package let metrics: TransportMetrics
    /// Messages and octets in and out, with this connection's serializer.
    private let messages: MessageMetrics
    private let allocator: ByteBufferAllocator

    package init(
        bridge: ChannelBridge, serializer: any WAMPSerializer, maxSendLength: Int, maxReceiveLength: Int,
        closeTimeout: TimeAmount, metrics: TransportMetrics
    ) {
        self.metrics = metrics
        self.messages = metrics.messages(serializer: serializer.id)
        self.bridge = bridge
        self.serializer = serializer
        self.maxSendLength = maxSendLength
        self.maxReceiveLength = maxReceiveLength
        self.closeTimeout = closeTimeout
        self.executor = EventLoopTaskExecutor(bridge.channel.eventLoop)
        self.allocator = bridge.channel.allocator
    }

    package var channel: any Channel { bridge.channel }

    /// The received messages, deserialized as they are taken. A message that does not
    /// deserialize closes the connection (``TransportCloseRequest/Reason/protocolError``) and
    /// is thrown as the transport's ``MessageFraming/invalidMessage(serializer:cause:)``.
    package var inbound: WAMPMessageSequence {
        let channel = self.channel
        let closeTimeout = self.closeTimeout
        let id = serializer.id
        let metrics = self.metrics
        return WAMPMessageSequence(payloads: payloads, serializer: serializer) { error in
            metrics.protocolError(code: "invalidMessage")
            ChannelBridge.startClosing(channel, reason: .protocolError, timeout: closeTimeout)
            return Framing.invalidMessage(serializer: id, cause: error)
        }
    }

    /// The payloads received, in order, not deserialized.
    package var payloads: PayloadSequence { bridge.payloads(counting: messages) }

    /// The room for the message in a new send buffer (after the frame header): what a small
    /// message needs, and what the MessagePack serializer reserves for its first attempt (with
    /// less, the buffer would be reallocated for every message).
    static var sendBufferCapacity: Int { 512 }

    /// Serializes `message` and sends it in one frame: on the channel's event loop, written in
    /// place into what the transport gathers when it can (``ChannelBridge/writeInPlace(_:)``),
    /// else in a buffer of its own.
    package func send(_ message: WAMPMessage) async throws {
        // The closure captures no `self`: its generic type's metadata would be looked up on
        // every call.
        let serializer = self.serializer
        let limit = maxSendLength
        let length: Int
        if let gathered = try await bridge.writeInPlace({ buffer in
            try Framing.appendFrame(message, serializer: serializer, limit: limit, to: &buffer)
        }) {
            length = gathered
        } else {
            var buffer = allocator.buffer(capacity: Framing.headerSize + Self.sendBufferCapacity)
            length = try Framing.appendFrame(message, serializer: serializer, limit: limit, to: &buffer)
            try await bridge.write(buffer)
        }
        messages.sent(octets: length)
    }

    /// ``send(_:)`` when it needs no wait (``ChannelBridge/writeInPlaceWithoutWaiting(_:)``):
    /// `false`, and nothing sent, when it would.
    package func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool {
        let serializer = self.serializer
        let limit = maxSendLength
        guard let length = try bridge.writeInPlaceWithoutWaiting({ buffer in
            try Framing.appendFrame(message, serializer: serializer, limit: limit, to: &buffer)
        }) else { return false }
        messages.sent(octets: length)
        return true
    }

    /// Sends an already serialized message in one frame.
    package func send(payload: ByteBuffer) async throws {
        let length = payload.readableBytes
        guard length <= maxSendLength else {
            throw Framing.messageTooLarge("a payload of \(length) octets", length: length, limit: maxSendLength)
        }
        guard Framing.headerSize > 0 else {
            try await bridge.write(payload)
            messages.sent(octets: length)
            return
        }
        var buffer = allocator.buffer(capacity: Framing.headerSize + length)
        _ = try Framing.appendFrame(limit: maxSendLength, to: &buffer, describing: "a payload") {
            $0.writeImmutableBuffer(payload)
        }
        try await bridge.write(buffer)
        messages.sent(octets: length)
    }

    /// Sends nothing more, writes what was sent, closes with `reason`; at most
    /// ``closeTimeout``.
    package func close(reason: TransportCloseRequest.Reason = .normal) async {
        await bridge.close(reason: reason, timeout: closeTimeout)
    }

    /// Completes when the connection is closed, by either side.
    package var closed: Void {
        get async { try? await channel.closeFuture.get() }
    }
}
