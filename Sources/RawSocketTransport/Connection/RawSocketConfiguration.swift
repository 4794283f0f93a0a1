public import NIOCore

/// Settings of a RawSocket connection, shared by clients and servers. The names follow
/// Net::WAMP::RawSocket (`max_receive_length`, `max_pings`).
public struct RawSocketConfiguration: Sendable {
    /// The largest message this side accepts, announced in the handshake: a power of two from
    /// 512 to 2^24 (16 MiB). Default: 2^24.
    ///
    /// Net::WAMP::RawSocket defaults to 2^23; routers (Crossbar.io, Bondy) send messages up to
    /// their own configured limits, and a lower announcement makes them drop oversize messages
    /// silently (Crossbar sends nothing and keeps the connection open), so the default is the
    /// protocol maximum. Lower it to bound the memory a peer can make this side buffer.
    public var maxReceiveLength: Int = RawSocketHandshake.maximumMaxLength

    /// How many PINGs may go unanswered before the connection is closed with
    /// ``RawSocketError/Code/tooManyUnansweredPings``. Default: 10.
    public var maxPings: Int = 10

    /// Sends a PING at this interval when set. Default: `nil` (off).
    ///
    /// Answering PINGs is always on. Sending them is opt-in: Crossbar.io and Autobahn|Python
    /// drop a connection that sends a PING.
    public var pingInterval: TimeAmount? = nil

    /// The time the handshake may take before the connection is closed with
    /// ``RawSocketError/Code/handshakeTimeout``. Default: 10 seconds.
    public var handshakeTimeout: TimeAmount = .seconds(10)

    /// The time ``RawSocketConnection/close()`` waits for messages already sent to be written
    /// before it closes the connection anyway (a peer that stops reading must not make close
    /// hang). Default: 5 seconds.
    public var closeTimeout: TimeAmount = .seconds(5)

    /// Runs ``RawSocketServer/run(_:)`` handlers and the bodies of
    /// ``RawSocketClient/withConnection(to:serializer:configuration:tlsConfiguration:serverHostname:eventLoopGroup:logger:_:)``
    /// with the connection's event loop as their task executor preference
    /// (``RawSocketConnection/executor``). Default: `true`.
    ///
    /// Receiving a message and sending the answer then happen on the thread that does the
    /// connection's I/O, without a thread hop (and a cross-CPU wake-up) per message: several
    /// times less CPU per message and much lower latency. Child tasks inherit the preference.
    /// Turn it off when handlers block or compute for long: they share the event loop's
    /// thread with the other connections of that loop.
    public var runsHandlersOnEventLoop: Bool = true

    /// Received messages waiting for the consumer of ``RawSocketConnection/inbound`` above
    /// which the connection stops reading from the socket until the consumer catches up (the
    /// peer is then held back by TCP flow control). Default: 256.
    public var maxBufferedMessages: Int = 256

    /// Octets that tasks running off the connection's event loop may have sent and not yet
    /// written before ``RawSocketConnection/send(_:)`` waits for its message to be written: a
    /// sender on another thread cannot get further ahead of a peer that reads slowly or not at
    /// all. Default: 256 KiB.
    ///
    /// Senders on the event loop (the default for handlers) are bounded by the channel's
    /// writability instead: the send waits while more than its write-buffer high-water mark
    /// (64 KiB) is queued.
    public var maxUnwrittenSendBytes: Int = 256 * 1024

    /// Creates a configuration with the defaults.
    public init() {}

    /// Creates a configuration.
    public init(
        maxReceiveLength: Int = RawSocketHandshake.maximumMaxLength, maxPings: Int = 10,
        pingInterval: TimeAmount? = nil, handshakeTimeout: TimeAmount = .seconds(10),
        closeTimeout: TimeAmount = .seconds(5), runsHandlersOnEventLoop: Bool = true,
        maxBufferedMessages: Int = 256, maxUnwrittenSendBytes: Int = 256 * 1024
    ) {
        self.runsHandlersOnEventLoop = runsHandlersOnEventLoop
        self.maxBufferedMessages = maxBufferedMessages
        self.maxUnwrittenSendBytes = maxUnwrittenSendBytes
        self.closeTimeout = closeTimeout
        self.maxReceiveLength = maxReceiveLength
        self.maxPings = maxPings
        self.pingInterval = pingInterval
        self.handshakeTimeout = handshakeTimeout
    }

    /// Checks every value.
    ///
    /// - Throws: ``RawSocketError/Code/invalidConfiguration`` naming the value.
    public func validate() throws(RawSocketError) {
        guard RawSocketHandshake.isValidMaxLength(maxReceiveLength) else {
            throw RawSocketError(
                .invalidConfiguration,
                "maxReceiveLength \(maxReceiveLength) is not a power of two from 512 to 16777216")
        }
        guard maxPings >= 1 else {
            throw RawSocketError(.invalidConfiguration, "maxPings \(maxPings) must be at least 1")
        }
        if let pingInterval, pingInterval <= .zero {
            throw RawSocketError(.invalidConfiguration, "pingInterval \(pingInterval) must be positive")
        }
        guard closeTimeout >= .zero else {
            throw RawSocketError(.invalidConfiguration, "closeTimeout \(closeTimeout) must not be negative")
        }
        guard maxBufferedMessages >= 1 else {
            throw RawSocketError(.invalidConfiguration, "maxBufferedMessages \(maxBufferedMessages) must be at least 1")
        }
        guard maxUnwrittenSendBytes >= 0 else {
            throw RawSocketError(
                .invalidConfiguration, "maxUnwrittenSendBytes \(maxUnwrittenSendBytes) must not be negative")
        }
        guard handshakeTimeout > .zero else {
            throw RawSocketError(.invalidConfiguration, "handshakeTimeout \(handshakeTimeout) must be positive")
        }
    }
}
