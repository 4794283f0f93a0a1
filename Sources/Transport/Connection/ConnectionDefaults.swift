/// The defaults of the settings that every transport's configuration has, written once, and
/// their common checks.
package enum ConnectionDefaults {
    /// The largest message a side accepts: 16 MiB (2^24, the RawSocket maximum).
    package static let maxReceiveLength = 1 << 24
    /// The opening handshake's time limit: 10 seconds.
    package static let handshakeTimeout = Duration.seconds(10)
    /// The longest a graceful close waits: 5 seconds.
    package static let closeTimeout = Duration.seconds(5)
    /// Handlers run on their connection's event loop.
    package static let runsHandlersOnEventLoop = true
    /// Received messages waiting untaken before reading stops: 256.
    package static let maxBufferedMessages = 256
    /// Octets sent from other threads and not yet written before a send waits: 256 KiB.
    package static let maxUnwrittenSendBytes = 256 * 1024

    /// The problem with the settings every configuration shares, `nil` when they are valid.
    package static func problem(
        handshakeTimeout: Duration, closeTimeout: Duration, pingInterval: Duration?, maxBufferedMessages: Int,
        maxUnwrittenSendBytes: Int
    ) -> String? {
        if handshakeTimeout <= .zero { return "handshakeTimeout \(handshakeTimeout) must be positive" }
        if closeTimeout < .zero { return "closeTimeout \(closeTimeout) must not be negative" }
        if let pingInterval, pingInterval <= .zero { return "pingInterval \(pingInterval) must be positive" }
        if maxBufferedMessages < 1 { return "maxBufferedMessages \(maxBufferedMessages) must be at least 1" }
        if maxUnwrittenSendBytes < 0 { return "maxUnwrittenSendBytes \(maxUnwrittenSendBytes) must not be negative" }
        return nil
    }
}
