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
    /// The typed messages received, in order. See `WAMPTransport.inbound`.
    public typealias Inbound = WAMPMessageSequence

    let core: ConnectionCore<WebSocketFraming>

    init(core: ConnectionCore<WebSocketFraming>) {
        self.core = core
    }

    /// A connection nobody holds any more is closed.
    deinit {
        core.channel.close(promise: nil)
    }

    /// The serializer chosen by the subprotocol negotiation.
    public var serializer: any WAMPSerializer { core.serializer }
    /// The negotiated subprotocol, `wamp.2.` and the serializer's name.
    public var subprotocol: String { core.serializer.id.webSocketSubprotocol }
    /// The largest message this side sends: ``WebSocketConfiguration/maxSendLength`` (WebSocket
    /// does not tell the peer's limit).
    public var maxSendLength: Int { core.maxSendLength }
    /// The largest message this side accepts: `WAMPConnectionSettings.maxReceiveLength`.
    public var maxReceiveLength: Int { core.maxReceiveLength }
    /// The peer's address, when known.
    public var remoteAddress: SocketAddress? { core.channel.remoteAddress }

    /// The connection's event loop as a task executor (see `WAMPTransport.executor`): a task
    /// that prefers it takes received messages and sends without a thread hop per message.
    /// Code that prefers it must not block.
    public var executor: (any TaskExecutor)? { core.executor }

    /// The typed messages received, in order. It ends when the peer closes with code 1000 or
    /// 1001 (or none), and throws a ``WebSocketError`` when the connection fails: a frame
    /// breaking the protocol, a message too large or of the wrong kind, another close code,
    /// a message that does not deserialize (the connection is then closed with code 1002), an
    /// unanswered PING.
    public var inbound: WAMPMessageSequence { core.inbound }

    /// The raw payloads of the messages received (reassembled), in order, not deserialized.
    public var payloads: PayloadSequence { core.payloads }

    /// Serializes and sends a message in one text (JSON) or binary (MessagePack) frame.
    ///
    /// - Throws: ``WebSocketError/Code/messageTooLarge`` when the serialized message is longer
    ///   than ``maxSendLength`` (nothing is sent, the connection stays usable); the
    ///   serializer's error; ``WebSocketError/Code/connectionClosed`` when the connection is
    ///   closed or closing. A send from another thread may return before its message is
    ///   written; if that write fails, the connection is closed and later sends throw
    ///   ``WebSocketError/Code/connectionClosed`` with the failure as the cause.
    public func send(_ message: WAMPMessage) async throws {
        try await core.send(message)
    }

    /// Sends an already serialized message.
    ///
    /// - Throws: ``WebSocketError/Code/messageTooLarge`` over ``maxSendLength`` (nothing is
    ///   sent); ``WebSocketError/Code/connectionClosed`` when the connection is closed.
    public func send(payload: ByteBuffer) async throws {
        try await core.send(payload: payload)
    }

    /// Closes the connection with close code 1000: messages already sent are written first,
    /// then the close frame; the socket is closed when the peer answers, or after
    /// `WAMPConnectionSettings.closeTimeout`.
    public func close() async throws {
        await core.close(reason: .normal)
    }

    /// Closes the connection with a close code (1000 normal, 1001 going away, 3000-4999 for
    /// applications).
    public func close(code: UInt16) async throws {
        await core.close(reason: .code(code))
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async { await core.closed }
    }
}

extension WebSocketConnection: ServedConnection {
    package func close(reason: TransportCloseRequest.Reason) async {
        await core.close(reason: reason)
    }
}
