public import NIOSSL
import Transport

/// Settings of a WAMP-over-WebSocket connection, shared by clients and servers. Each property
/// has its default; change the ones you need:
///
/// ```swift
/// let configuration = WebSocketConfiguration { $0.maxReceiveLength = 1 << 20; $0.pingInterval = nil }
/// ```
public struct WebSocketConfiguration: Sendable {
    /// The largest message this side accepts, in octets, after reassembling fragments.
    /// A larger message (or a single frame announcing more) closes the connection with code
    /// 1009. Default: 16 MiB (2^24), the same as the RawSocket default.
    public var maxReceiveLength = ConnectionDefaults.maxReceiveLength

    /// The largest message this side sends. WebSocket has no way to learn the peer's limit,
    /// so this is what ``WebSocketConnection/maxSendLength`` reports. Default: 16 MiB (2^24).
    public var maxSendLength = ConnectionDefaults.maxReceiveLength

    /// Sends a PING when nothing was received for this long (one interval to the next); `nil`
    /// sends none. Default: 30 seconds. PINGs from the peer are always answered.
    public var pingInterval: Duration? = .seconds(30)

    /// How long a PING may go unanswered before the connection is closed (close code 1008,
    /// ``WebSocketError/Code/pingTimeout``). Default: 30 seconds.
    public var pingTimeout: Duration = .seconds(30)

    /// The time the TCP connect, TLS and the HTTP upgrade may take together before the
    /// connection is closed with ``WebSocketError/Code/handshakeTimeout``. Default: 10 seconds.
    public var handshakeTimeout = ConnectionDefaults.handshakeTimeout

    /// How long a graceful close waits for queued messages to be written and for the peer's
    /// close frame before closing the socket anyway. Default: 5 seconds.
    public var closeTimeout = ConnectionDefaults.closeTimeout

    /// Runs server handlers and the bodies of ``WebSocketClient/withConnection(to:serializers:configuration:eventLoopGroup:logger:_:)``
    /// with the connection's event loop as their task executor preference
    /// (``WebSocketConnection/executor``): receiving and answering cost no thread hop per
    /// message. Default: `true`. Turn it off when handlers block or compute for long.
    public var runsHandlersOnEventLoop = ConnectionDefaults.runsHandlersOnEventLoop

    /// Received messages waiting for the consumer of ``WebSocketConnection/inbound`` above
    /// which the connection stops reading from the socket until the consumer catches up.
    /// Default: 256.
    public var maxBufferedMessages = ConnectionDefaults.maxBufferedMessages

    /// Octets that tasks running off the connection's event loop may have sent and not yet
    /// written before ``WebSocketConnection/send(_:)`` waits for its message to be written.
    /// Senders on the event loop are bounded by the channel's writability (64 KiB queued)
    /// instead. Default: 256 KiB.
    public var maxUnwrittenSendBytes = ConnectionDefaults.maxUnwrittenSendBytes

    /// TLS settings. A server needs them for a `wss://` endpoint (certificate chain and key); a
    /// client uses them when set or when the endpoint is `wss://`, with the system's defaults
    /// for a client (certificate verification on) when `nil`. Default: `nil`.
    public var tls: TLSConfiguration? = nil

    /// The name a client verifies the server's certificate against and sends as SNI; `nil`
    /// uses the endpoint's host when it is a name. Default: `nil`.
    public var serverHostname: String? = nil

    /// Creates a configuration with the defaults, then lets `configure` change it.
    public init(_ configure: (inout WebSocketConfiguration) -> Void = { _ in }) {
        configure(&self)
    }

    /// Checks every value.
    ///
    /// - Throws: ``WebSocketError/Code/invalidConfiguration`` naming the value.
    public func validate() throws(WebSocketError) {
        guard (1 ... Int(UInt32.max)).contains(maxReceiveLength) else {
            throw WebSocketError(.invalidConfiguration, "maxReceiveLength \(maxReceiveLength) must be from 1 to \(UInt32.max)")
        }
        guard maxSendLength >= 1 else {
            throw WebSocketError(.invalidConfiguration, "maxSendLength \(maxSendLength) must be at least 1")
        }
        guard pingTimeout > .zero else {
            throw WebSocketError(.invalidConfiguration, "pingTimeout \(pingTimeout) must be positive")
        }
        if let problem = ConnectionDefaults.problem(
            handshakeTimeout: handshakeTimeout, closeTimeout: closeTimeout, pingInterval: pingInterval,
            maxBufferedMessages: maxBufferedMessages, maxUnwrittenSendBytes: maxUnwrittenSendBytes)
        {
            throw WebSocketError(.invalidConfiguration, problem)
        }
    }
}
