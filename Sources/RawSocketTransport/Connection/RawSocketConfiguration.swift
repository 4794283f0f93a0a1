public import Transport

/// Settings of a RawSocket connection, shared by clients and servers: RawSocket's own, and
/// every `WAMPConnectionSettings` property as if it were declared here. Each has its
/// default; change the ones you need:
///
/// ```swift
/// let configuration = RawSocketConfiguration { $0.maxReceiveLength = 1 << 20; $0.pingInterval = .seconds(30) }
/// ```
@dynamicMemberLookup
public struct RawSocketConfiguration: Sendable {
    /// The settings every transport has: `maxReceiveLength` (here a power of two from 512 to
    /// 2^24, announced in the handshake), `handshakeTimeout`, `closeTimeout`,
    /// `runsHandlersOnEventLoop`, `maxBufferedMessages`, `maxUnwrittenSendBytes`, `tls`,
    /// `serverHostname`.
    public var shared = WAMPConnectionSettings()

    /// How many PINGs may go unanswered before the connection is closed with
    /// ``RawSocketError/Code/tooManyUnansweredPings``. Default: 10.
    public var maxPings = 10

    /// Sends a PING when nothing was received for this long (one interval to the next); `nil`
    /// sends none. Default: `nil`.
    ///
    /// Answering PINGs is always on. Sending them is opt-in: Crossbar.io and Autobahn|Python
    /// drop a connection that sends a PING.
    public var pingInterval: Duration? = nil

    /// Creates a configuration with the defaults, then lets `configure` change it.
    public init(_ configure: (inout RawSocketConfiguration) -> Void = { _ in }) {
        configure(&self)
    }

    /// A setting of ``shared``, as if declared here.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<WAMPConnectionSettings, Value>) -> Value {
        get { shared[keyPath: keyPath] }
        set { shared[keyPath: keyPath] = newValue }
    }

    /// Checks every value.
    ///
    /// - Throws: ``RawSocketError/Code/invalidConfiguration`` naming the value.
    public func validate() throws(RawSocketError) {
        guard RawSocketHandshake.isValidMaxLength(shared.maxReceiveLength) else {
            throw RawSocketError(
                .invalidConfiguration,
                "maxReceiveLength \(shared.maxReceiveLength) is not a power of two from 512 to 16777216")
        }
        guard maxPings >= 1 else {
            throw RawSocketError(.invalidConfiguration, "maxPings \(maxPings) must be at least 1")
        }
        if let problem = shared.problem(pingInterval: pingInterval) {
            throw RawSocketError(.invalidConfiguration, problem)
        }
    }
}
