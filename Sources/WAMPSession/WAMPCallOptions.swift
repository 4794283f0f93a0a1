public import Transport

/// Options of one call.
///
/// ```swift
/// let result = try await session.call("com.example.slow", options: .init(timeout: .seconds(5)))
/// ```
public struct WAMPCallOptions: Sendable, Hashable {
    /// How the dealer is asked to cancel a call (the CANCEL message's `mode`).
    public struct CancelMode: Hashable, Sendable, CustomStringConvertible {
        /// The mode's name on the wire.
        public var rawValue: String
        /// The dealer stops waiting for the callee and does not interrupt it.
        public static let skip = CancelMode(rawValue: "skip")
        /// The dealer interrupts the callee and waits for its answer.
        public static let kill = CancelMode(rawValue: "kill")
        /// The dealer interrupts the callee and answers the caller at once.
        public static let killNoWait = CancelMode(rawValue: "killnowait")
        public var description: String { rawValue }
    }

    /// How long to wait for the result; `nil` (the default) waits as long as the session lives.
    /// When it passes, CANCEL is sent and the call throws ``WAMPSessionError/Code/callTimedOut``.
    public var timeout: Duration?
    /// The CANCEL mode used when the calling task is cancelled or the timeout passes. Default
    /// ``CancelMode/killNoWait``.
    public var cancelMode: CancelMode
    /// Further CALL options sent as they are (`disclose_me`, ...). Default none.
    public var extra: [String: WAMPValue]

    /// Creates options.
    public init(timeout: Duration? = nil, cancelMode: CancelMode = .killNoWait, extra: [String: WAMPValue] = [:]) {
        self.timeout = timeout
        self.cancelMode = cancelMode
        self.extra = extra
    }
}
