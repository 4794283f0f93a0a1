import Foundation
import Testing

/// The time guards of the tests: bounds that only stop a hung test. No test asserts how long
/// something takes, so a guard may be generous; it must never fire on a machine that is merely
/// slow (two cores shared with other builds, sanitizers, Swift Testing running tests in
/// parallel).
///
/// Every guard goes through ``seconds(_:)``: at least ``minimumSeconds``, then multiplied by
/// ``scale``, which is the environment variable `WAMP_TEST_TIME_SCALE` (a number greater than
/// 0; default 1). `scripts/test.sh` sets it higher for CI, and a slow machine can too:
///
///     WAMP_TEST_TIME_SCALE=3 swift test --filter LoopbackTests
///
/// Timeouts that a test sets on purpose, to see them fire (a 200 ms handshake timeout, a 100 ms
/// call timeout), are behaviour under test and are not guards: they do not go through here.
public enum TimeGuard {
    /// `WAMP_TEST_TIME_SCALE`, or 1 when it is not set.
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["WAMP_TEST_TIME_SCALE"], !text.isEmpty else { return 1 }
        guard let value = Double(text), value > 0, value.isFinite else {
            preconditionFailure("WAMP_TEST_TIME_SCALE must be a number greater than 0, not \"\(text)\"")
        }
        return value
    }()

    /// The shortest guard before scaling, in seconds: a guard written shorter waits this long.
    public static let minimumSeconds: Double = 30

    /// The guard for a bound written as `seconds`: at least ``minimumSeconds``, times ``scale``.
    public static func seconds(_ seconds: Double) -> Double {
        max(seconds, minimumSeconds) * scale
    }

    /// ``seconds(_:)`` as a `Duration`.
    public static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((Self.seconds(seconds) * 1000).rounded()))
    }

    /// ``seconds(_:)`` in whole nanoseconds (for SwiftNIO's `TimeAmount.nanoseconds`).
    public static func nanoseconds(_ seconds: Double) -> Int64 {
        Int64((Self.seconds(seconds) * 1e9).rounded())
    }

    /// How many polls `every` seconds apart fill the guard for `seconds`.
    public static func polls(_ seconds: Double, every interval: Double) -> Int {
        Int((Self.seconds(seconds) / interval).rounded(.up))
    }
}

extension Trait where Self == TimeLimitTrait {
    /// Swift Testing's time limit for a test or suite, scaled like every guard: `minutes`
    /// times ``TimeGuard/scale``, rounded up to whole minutes (the unit the trait takes). Use
    /// it instead of `.timeLimit(.minutes(n))`, so that a slow machine does not stop a test
    /// that is merely slow.
    public static func scaledTimeLimit(minutes: Int) -> Self {
        .timeLimit(.minutes(Int((Double(minutes) * TimeGuard.scale).rounded(.up))))
    }
}
