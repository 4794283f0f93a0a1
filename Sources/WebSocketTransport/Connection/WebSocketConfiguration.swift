public import NIOCore

/// Settings of a WAMP-over-WebSocket connection, shared by clients and servers.
public struct WebSocketConfiguration: Sendable {
    /// The largest message this side accepts, in octets, after reassembling fragments.
    /// A larger message (or a single frame announcing more) closes the connection with code
    /// 1009. Default: 16 MiB (2^24), the same as the RawSocket default.
    public var maxMessageSize: Int = 1 << 24

    /// The largest message this side sends. WebSocket has no way to learn the peer's limit,
    /// so this is what ``WebSocketConnection/maxSendLength`` reports. Default: 16 MiB (2^24).
    public var maxSendSize: Int = 1 << 24

    /// Sends a PING when nothing was received for this long. Default: 30 seconds; `nil`
    /// turns automatic PINGs off. PINGs from the peer are always answered.
    public var pingInterval: TimeAmount? = .seconds(30)

    /// How long a PING may go unanswered before the connection is closed (close code 1008,
    /// ``WebSocketError/Code/pingTimeout``). Default: 30 seconds.
    public var pingTimeout: TimeAmount = .seconds(30)

    /// The time the TCP connect, TLS and HTTP upgrade may take together. Default: 10 seconds.
    public var handshakeTimeout: TimeAmount = .seconds(10)

    /// How long ``WebSocketConnection/close()`` waits for queued messages to be written and
    /// for the peer's close frame before closing the socket anyway. Default: 5 seconds.
    public var closeTimeout: TimeAmount = .seconds(5)

    /// Runs ``WebSocketServer/run(_:)`` handlers and the bodies of `WebSocketClient.withConnection`
    /// with the connection's event loop as their task executor preference
    /// (``WebSocketConnection/executor``): receiving and answering cost no thread hop per
    /// message. Default: `true`. Turn it off when handlers block or compute for long.
    public var runsHandlersOnEventLoop: Bool = true

    /// Received messages waiting for the consumer of ``WebSocketConnection/inbound`` above
    /// which the connection stops reading from the socket until the consumer catches up.
    /// Default: 256.
    public var maxBufferedMessages: Int = 256

    /// Octets that tasks running off the connection's event loop may have sent and not yet
    /// written before ``WebSocketConnection/send(_:)`` waits for its message to be written.
    /// Senders on the event loop are bounded by the channel's writability (64 KiB queued)
    /// instead. Default: 256 KiB.
    public var maxUnwrittenSendBytes: Int = 256 * 1024

    /// Creates a configuration with the defaults.
    public init() {}

    /// Creates a configuration.
    public init(
        maxMessageSize: Int = 1 << 24, maxSendSize: Int = 1 << 24, pingInterval: TimeAmount? = .seconds(30),
        pingTimeout: TimeAmount = .seconds(30), handshakeTimeout: TimeAmount = .seconds(10),
        closeTimeout: TimeAmount = .seconds(5), runsHandlersOnEventLoop: Bool = true,
        maxBufferedMessages: Int = 256, maxUnwrittenSendBytes: Int = 256 * 1024
    ) {
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.maxBufferedMessages = maxBufferedMessages
        self.maxUnwrittenSendBytes = maxUnwrittenSendBytes
        self.maxMessageSize = maxMessageSize
        self.maxSendSize = maxSendSize
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.handshakeTimeout = handshakeTimeout
        self.closeTimeout = closeTimeout
    }

    /// Checks every value.
    ///
    /// - Throws: ``WebSocketError/Code/invalidConfiguration`` naming the value.
    public func validate() throws(WebSocketError) {
        guard (1 ... Int(UInt32.max)).contains(maxMessageSize) else {
            throw WebSocketError(.invalidConfiguration, "maxMessageSize \(maxMessageSize) must be from 1 to \(UInt32.max)")
        }
        guard maxSendSize >= 1 else {
            throw WebSocketError(.invalidConfiguration, "maxSendSize \(maxSendSize) must be at least 1")
        }
        if let pingInterval, pingInterval <= .zero {
            throw WebSocketError(.invalidConfiguration, "pingInterval \(pingInterval) must be positive")
        }
        guard pingTimeout > .zero else {
            throw WebSocketError(.invalidConfiguration, "pingTimeout \(pingTimeout) must be positive")
        }
        guard handshakeTimeout > .zero else {
            throw WebSocketError(.invalidConfiguration, "handshakeTimeout \(handshakeTimeout) must be positive")
        }
        guard closeTimeout >= .zero else {
            throw WebSocketError(.invalidConfiguration, "closeTimeout \(closeTimeout) must not be negative")
        }
        guard maxBufferedMessages >= 1 else {
            throw WebSocketError(.invalidConfiguration, "maxBufferedMessages \(maxBufferedMessages) must be at least 1")
        }
        guard maxUnwrittenSendBytes >= 0 else {
            throw WebSocketError(
                .invalidConfiguration, "maxUnwrittenSendBytes \(maxUnwrittenSendBytes) must not be negative")
        }
    }
}
