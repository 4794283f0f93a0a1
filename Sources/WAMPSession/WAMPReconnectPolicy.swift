/// When and how often a session reconnects after its transport drops: exponential backoff
/// with jitter.
///
/// The delay before attempt `n` (from 1) is `min(maxDelay, initialDelay × multiplier^(n-1))`,
/// then multiplied by a random factor in `1 - jitter ... 1 + jitter`.
///
/// ```swift
/// var configuration = WAMPSession.Configuration()
/// configuration.reconnect = .init(initialDelay: .milliseconds(200), maxDelay: .seconds(10))
/// ```
public struct WAMPReconnectPolicy: Sendable, Hashable {
    /// The delay before the first attempt. Default 0.5 s.
    public var initialDelay: Duration
    /// The longest delay between attempts. Default 30 s.
    public var maxDelay: Duration
    /// The factor applied to the delay after each failed attempt. Default 2.
    public var multiplier: Double
    /// The random spread around each delay, as a fraction from 0 to 1. Default 0.2 (±20 %).
    public var jitter: Double
    /// How many attempts in a row before giving up; `nil` (the default) never gives up.
    public var maxAttempts: Int?

    /// Creates a policy.
    public init(
        initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2, maxAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxAttempts = maxAttempts
    }

    /// The delay before attempt `attempt` (from 1), `random` giving the jitter factor's
    /// position in `0 ... 1` (0.5: no jitter).
    public func delay(beforeAttempt attempt: Int, random: Double = Double.random(in: 0 ... 1)) -> Duration {
        let initial = initialDelay.seconds
        let cap = maxDelay.seconds
        let exponent = Double(max(0, attempt - 1))
        let base = min(cap, initial * power(max(multiplier, 1), exponent))
        let spread = min(max(jitter, 0), 1)
        let factor = 1 + spread * (2 * min(max(random, 0), 1) - 1)
        return .nanoseconds(Int64((base * factor * 1e9).rounded()))
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// `x^y` for a non-negative integer-valued `y`, without Foundation.
private func power(_ x: Double, _ y: Double) -> Double {
    var result = 1.0
    var n = Int(min(y, 1024))
    while n > 0 {
        result *= x
        if result > 1e18 { return result }
        n -= 1
    }
    return result
}
