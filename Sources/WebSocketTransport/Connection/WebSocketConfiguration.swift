public import Transport

/// Settings of a WAMP-over-WebSocket connection, shared by clients and servers: WebSocket's
/// own, and every `WAMPConnectionSettings` property as if it were declared here. Each has
/// its default; change the ones you need:
///
/// ```swift
/// let configuration = WebSocketConfiguration { $0.maxReceiveLength = 1 << 20; $0.pingInterval = nil }
/// ```
@dynamicMemberLookup
public struct WebSocketConfiguration: Sendable {
    /// The settings every transport has: `maxReceiveLength` (here after reassembling fragments,
    /// close code 1009 beyond it), `handshakeTimeout` (TCP connect, TLS and the HTTP upgrade),
    /// `closeTimeout`, `runsHandlersOnEventLoop`, `maxBufferedMessages`,
    /// `maxUnwrittenSendBytes`, `tls`, `serverHostname`.
    public var shared = WAMPConnectionSettings()

    /// The largest message this side sends. WebSocket has no way to learn the peer's limit,
    /// so this is what ``WebSocketConnection/maxSendLength`` reports. Default: 16 MiB (2^24).
    public var maxSendLength = 1 << 24

    /// Sends a PING when nothing was received for this long (one interval to the next); `nil`
    /// sends none. Default: 30 seconds. PINGs from the peer are always answered.
    public var pingInterval: Duration? = .seconds(30)

    /// How long a PING may go unanswered before the connection is closed (close code 1008,
    /// ``WebSocketError/Code/pingTimeout``). Default: 30 seconds.
    public var pingTimeout: Duration = .seconds(30)

    /// Creates a configuration with the defaults, then lets `configure` change it.
    public init(_ configure: (inout WebSocketConfiguration) -> Void = { _ in }) {
        configure(&self)
    }

    /// A setting of ``shared``, as if declared here.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<WAMPConnectionSettings, Value>) -> Value {
        get { shared[keyPath: keyPath] }
        set { shared[keyPath: keyPath] = newValue }
    }

    /// Checks every value.
    ///
    /// - Throws: ``WebSocketError/Code/invalidConfiguration`` naming the value.
    public func validate() throws(WebSocketError) {
        guard maxSendLength >= 1 else {
            throw WebSocketError(.invalidConfiguration, "maxSendLength \(maxSendLength) must be at least 1")
        }
        guard pingTimeout > .zero else {
            throw WebSocketError(.invalidConfiguration, "pingTimeout \(pingTimeout) must be positive")
        }
        if let problem = shared.problem(pingInterval: pingInterval) {
            throw WebSocketError(.invalidConfiguration, problem)
        }
    }
}
