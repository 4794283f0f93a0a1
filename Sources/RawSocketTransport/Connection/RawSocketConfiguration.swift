public import NIOSSL
import Transport

/// Settings of a RawSocket connection, shared by clients and servers. Each property has its
/// default; change the ones you need:
///
/// ```swift
/// let configuration = RawSocketConfiguration { $0.maxReceiveLength = 1 << 20; $0.pingInterval = .seconds(30) }
/// ```
public struct RawSocketConfiguration: Sendable {
    /// The largest message this side accepts, announced in the handshake: a power of two from
    /// 512 to 2^24 (16 MiB). Default: 2^24.
    ///
    /// Routers (Crossbar.io, Bondy) send messages up to their own configured limits, and a lower
    /// announcement makes them drop oversize messages silently (Crossbar sends nothing and keeps
    /// the connection open), so the default is the protocol maximum. Lower it to bound the
    /// memory a peer can make this side buffer.
    public var maxReceiveLength = ConnectionDefaults.maxReceiveLength

    /// How many PINGs may go unanswered before the connection is closed with
    /// ``RawSocketError/Code/tooManyUnansweredPings``. Default: 10.
    public var maxPings = 10

    /// Sends a PING when nothing was received for this long (one interval to the next); `nil`
    /// sends none. Default: `nil`.
    ///
    /// Answering PINGs is always on. Sending them is opt-in: Crossbar.io and Autobahn|Python
    /// drop a connection that sends a PING.
    public var pingInterval: Duration? = nil

    /// The time the TCP connect, TLS and the RawSocket handshake may take before the connection
    /// is closed with ``RawSocketError/Code/handshakeTimeout``. Default: 10 seconds.
    public var handshakeTimeout = ConnectionDefaults.handshakeTimeout

    /// The time a graceful close waits for messages already sent to be written before it
    /// closes the connection anyway (a peer that stops reading must not make close hang).
    /// Default: 5 seconds.
    public var closeTimeout = ConnectionDefaults.closeTimeout

    /// Runs server handlers and the bodies of ``RawSocketClient/withConnection(to:serializers:configuration:eventLoopGroup:logger:_:)``
    /// with the connection's event loop as their task executor preference
    /// (``RawSocketConnection/executor``). Default: `true`.
    ///
    /// Receiving a message and sending the answer then happen on the thread that does the
    /// connection's I/O, without a thread hop (and a cross-CPU wake-up) per message: several
    /// times less CPU per message and much lower latency. Child tasks inherit the preference.
    /// Turn it off when handlers block or compute for long: they share the event loop's
    /// thread with the other connections of that loop.
    public var runsHandlersOnEventLoop = ConnectionDefaults.runsHandlersOnEventLoop

    /// Received messages waiting for the consumer of ``RawSocketConnection/inbound`` above
    /// which the connection stops reading from the socket until the consumer catches up (the
    /// peer is then held back by TCP flow control). Default: 256.
    public var maxBufferedMessages = ConnectionDefaults.maxBufferedMessages

    /// Octets that tasks running off the connection's event loop may have sent and not yet
    /// written before ``RawSocketConnection/send(_:)`` waits for its message to be written: a
    /// sender on another thread cannot get further ahead of a peer that reads slowly or not at
    /// all. Default: 256 KiB.
    ///
    /// Senders on the event loop (the default for handlers) are bounded by the channel's
    /// writability instead: the send waits while more than its write-buffer high-water mark
    /// (64 KiB) is queued.
    public var maxUnwrittenSendBytes = ConnectionDefaults.maxUnwrittenSendBytes

    /// TLS settings. A server needs them for an `rss://` endpoint (certificate chain and key);
    /// a client uses them when set or when the endpoint is `rss://`, with the system's defaults
    /// for a client (certificate verification on) when `nil`. Default: `nil`.
    public var tls: TLSConfiguration? = nil

    /// The name a client verifies the server's certificate against and sends as SNI; `nil`
    /// uses the endpoint's host when it is a name. Default: `nil`.
    public var serverHostname: String? = nil

    /// Creates a configuration with the defaults, then lets `configure` change it.
    public init(_ configure: (inout RawSocketConfiguration) -> Void = { _ in }) {
        configure(&self)
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
        if let problem = ConnectionDefaults.problem(
            handshakeTimeout: handshakeTimeout, closeTimeout: closeTimeout, pingInterval: pingInterval,
            maxBufferedMessages: maxBufferedMessages, maxUnwrittenSendBytes: maxUnwrittenSendBytes)
        {
            throw RawSocketError(.invalidConfiguration, problem)
        }
    }
}
