public import NIOSSL

/// The settings every transport's configuration has, with the same names, meanings and
/// defaults: `RawSocketConfiguration` and `WebSocketConfiguration` each hold one and expose its
/// properties as their own (`configuration.handshakeTimeout`, `$0.tls = ...`).
public struct WAMPConnectionSettings: Sendable {
    /// The largest message this side accepts, in octets. Default: 16 MiB (2^24, the RawSocket
    /// maximum).
    ///
    /// RawSocket announces it in the handshake and takes a power of two from 512 to 2^24;
    /// WebSocket applies it after reassembling fragments (close code 1009 beyond it). Routers
    /// (Crossbar.io, Bondy) send messages up to their own configured limits, and a lower
    /// RawSocket announcement makes Crossbar drop oversize messages silently, so the default is
    /// the protocol maximum. Lower it to bound the memory a peer can make this side buffer.
    public var maxReceiveLength = 1 << 24

    /// The time the TCP connect, TLS and the transport's opening handshake may take together
    /// before the connection is given up with the transport's `handshakeTimeout` error.
    /// Default: 10 seconds.
    public var handshakeTimeout = Duration.seconds(10)

    /// The longest a graceful close (`close()`, a server's shutdown) waits for what was sent to
    /// be written and, on WebSocket, for the peer's close frame, before closing the socket
    /// anyway: a peer that stops reading cannot make closing hang. Default: 5 seconds.
    public var closeTimeout = Duration.seconds(5)

    /// Runs server handlers and the bodies of the clients' `withConnection` with the
    /// connection's event loop as their task executor preference (the connection's
    /// `executor`). Default: `true`.
    ///
    /// Receiving a message and sending the answer then happen on the thread that does the
    /// connection's I/O, without a thread hop (and a cross-CPU wake-up) per message: several
    /// times less CPU per message and much lower latency. Child tasks inherit the preference.
    /// Turn it off when handlers block or compute for long: they share the event loop's
    /// thread with the other connections of that loop.
    public var runsHandlersOnEventLoop = true

    /// Received messages waiting for the consumer of `inbound` above which the connection stops
    /// reading from the socket until the consumer catches up (the peer is then held back by TCP
    /// flow control). Default: 256.
    public var maxBufferedMessages = 256

    /// Octets that tasks running off the connection's event loop may have sent and not yet
    /// written before `send` waits for its message to be written: a sender on another thread
    /// cannot get further ahead of a peer that reads slowly or not at all. Default: 256 KiB.
    ///
    /// Senders on the event loop (the default for handlers) are bounded by the channel's
    /// writability instead: the send waits while more than its write-buffer high-water mark
    /// (64 KiB) is queued.
    public var maxUnwrittenSendBytes = 256 * 1024

    /// TLS settings. A server needs them for a TLS endpoint (`rss://`, `wss://`: certificate
    /// chain and key); a client uses them when set or when the endpoint asks for TLS, with the
    /// system's defaults for a client (certificate verification on) when `nil`. Default: `nil`.
    public var tls: TLSConfiguration? = nil

    /// The name a client verifies the server's certificate against and sends as SNI; `nil`
    /// uses the endpoint's host when it is a name. Default: `nil`.
    public var serverHostname: String? = nil

    /// Dimensions added to every metric the connection (or the server) records, after its own
    /// (`transport`, `role`, ...): `[("listener", "public")]` tells two servers of one program
    /// apart. Default: none. See `WAMPMetricNames`.
    public var metricsDimensions: [(String, String)] = []

    /// Creates the settings with their defaults.
    public init() {}

    /// What is wrong with the settings, `nil` when they are valid.
    package func problem(pingInterval: Duration?) -> String? {
        if maxReceiveLength < 1 || maxReceiveLength > Int(UInt32.max) {
            return "maxReceiveLength \(maxReceiveLength) must be from 1 to \(UInt32.max)"
        }
        if handshakeTimeout <= .zero { return "handshakeTimeout \(handshakeTimeout) must be positive" }
        if closeTimeout < .zero { return "closeTimeout \(closeTimeout) must not be negative" }
        if let pingInterval, pingInterval <= .zero { return "pingInterval \(pingInterval) must be positive" }
        if maxBufferedMessages < 1 { return "maxBufferedMessages \(maxBufferedMessages) must be at least 1" }
        if maxUnwrittenSendBytes < 0 { return "maxUnwrittenSendBytes \(maxUnwrittenSendBytes) must not be negative" }
        return nil
    }
}
