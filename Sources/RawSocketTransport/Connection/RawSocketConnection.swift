public import NIOCore
public import Transport

/// One open RawSocket connection, client or server side: typed WAMP messages in and out
/// through the negotiated serializer, plus a payload-level API for already serialized
/// messages.
///
/// Obtain one from ``RawSocketClient`` or ``RawSocketServer``. Iterate ``inbound`` (typed
/// messages) or ``payloads`` (raw message payloads) once, not both.
///
/// ```swift
/// try await RawSocketClient.withConnection(to: .tcp(host: "127.0.0.1", port: 8080), serializers: [WAMPMsgPackSerializer()]) { connection in
///     try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["subscriber": [:]]])))
///     for try await message in connection.inbound { print(message) }
/// }
/// ```
public final class RawSocketConnection: WAMPTransport {
    /// The typed messages received, in order. See `WAMPTransport.inbound`.
    public typealias Inbound = WAMPMessageSequence

    let core: ConnectionCore<RawSocketFraming>

    init(core: ConnectionCore<RawSocketFraming>) {
        self.core = core
    }

    /// A connection nobody holds any more is closed.
    deinit {
        core.channel.close(promise: nil)
    }

    /// The serializer chosen by the handshake.
    public var serializer: any WAMPSerializer { core.serializer }
    /// The peer's receive limit: the largest payload this side may send.
    public var maxSendLength: Int { core.maxSendLength }
    /// This side's announced receive limit.
    public var maxReceiveLength: Int { core.maxReceiveLength }
    /// The peer's address, when known.
    public var remoteAddress: SocketAddress? { core.channel.remoteAddress }

    /// The connection's event loop as a task executor. A task that prefers it
    /// (`withTaskExecutorPreference(connection.executor) { ... }`) takes received messages
    /// and sends on the thread that does the connection's I/O: no thread hop per message.
    /// Server handlers and ``RawSocketClient/withConnection(to:serializers:configuration:eventLoopGroup:logger:_:)``
    /// bodies run on it unless `WAMPConnectionSettings.runsHandlersOnEventLoop` is off.
    /// Code that prefers it must not block.
    public var executor: (any TaskExecutor)? { core.executor }

    /// The typed messages received, in order. It ends when the peer closes, and throws a
    /// ``RawSocketError`` when the connection fails: a frame breaking the protocol, a message
    /// that does not deserialize (``RawSocketError/Code/invalidMessage``, the connection is
    /// then closed), a keepalive timeout.
    public var inbound: WAMPMessageSequence { core.inbound }

    /// The raw payloads of the messages received, in order, not deserialized. PINGs and PONGs
    /// never appear here.
    public var payloads: PayloadSequence { core.payloads }

    /// Serializes and sends a message in one frame.
    ///
    /// - Throws: ``RawSocketError/Code/messageTooLarge`` when the serialized message is longer
    ///   than ``maxSendLength`` (nothing is sent, the connection stays usable); the
    ///   serializer's error; ``RawSocketError/Code/connectionClosed`` when the connection is
    ///   closed.
    ///
    /// Concurrent senders never interleave: each message is one write of header and payload.
    /// When the peer stops reading, this waits: on the connection's event loop (see
    /// ``executor``) until the channel is writable again, elsewhere while more than
    /// `WAMPConnectionSettings.maxUnwrittenSendBytes` sent from other threads are not yet
    /// written. A send from another thread may return before its message is written; if that
    /// write fails, the connection is closed and later sends throw
    /// ``RawSocketError/Code/connectionClosed`` with the failure as the cause.
    public func send(_ message: WAMPMessage) async throws {
        try await core.send(message)
    }

    /// Sends `message` at once when the caller is on the connection's event loop (see
    /// ``executor``) and the channel is writable: serialized in place at the end of the frames
    /// gathered for the next flush. Returns `false`, having sent nothing, otherwise.
    ///
    /// - Throws: as ``send(_:)``.
    public func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool {
        try core.sendWithoutWaiting(message)
    }

    /// Sends an already serialized message.
    ///
    /// - Throws: ``RawSocketError/Code/messageTooLarge`` over the peer's limit (nothing is
    ///   sent, the connection stays usable); ``RawSocketError/Code/connectionClosed`` when the
    ///   connection is closed.
    public func send(payload: ByteBuffer) async throws {
        try await core.send(payload: payload)
    }

    /// Sends a PING now. When more than ``RawSocketConfiguration/maxPings`` PINGs are
    /// unanswered the connection is closed with ``RawSocketError/Code/tooManyUnansweredPings``.
    public func checkHeartbeat() async throws {
        try await core.channel.triggerUserOutboundEvent(RawSocketHeartbeatEvent()).get()
    }

    /// Writes everything sent so far, then closes the connection. When the peer does not
    /// read, the connection is closed anyway after `WAMPConnectionSettings.closeTimeout`.
    public func close() async throws {
        await core.close()
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async { await core.closed }
    }
}

extension RawSocketConnection: ServedConnection {
    package func close(reason: TransportCloseRequest.Reason) async {
        await core.close(reason: reason)
    }
}
