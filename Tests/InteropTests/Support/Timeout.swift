import NIOCore
import RawSocketTransport
import Synchronization
import TimeGuards
import Transport
import WAMPSession

/// How long the interop tests wait, in seconds: time guards (``TimeGuard/seconds(_:)``, at
/// least 30 s, times `WAMP_TEST_TIME_SCALE`). Generous: the machine has 2 cores shared with
/// builds and other test runs, and the peers are Python.
enum InteropTimeouts {
    /// One WAMP message, connect or handshake.
    static let message = TimeGuard.seconds(10)
    /// A 1 MiB round trip through the router.
    static let bulk = TimeGuard.seconds(30)
    /// An Autobahn|Python script to start (imports take seconds on a loaded machine).
    static let pythonStart = TimeGuard.seconds(45)
    /// An Autobahn|Python client script to run to its end: longer than the script's own guard
    /// (`Peers/autobahn_client.py`, 3 × 20 s times the same scale), so that it reports first.
    static let pythonRun = TimeGuard.seconds(90)
    /// The Crossbar.io node to start and open its transports.
    static let crossbarStart = TimeGuard.seconds(120)
}

/// The RawSocket configuration of interop connections and servers that choose none: the
/// library's defaults, with the handshake timeout (10 s) as a time guard instead.
let interopRawSocketConfiguration = RawSocketConfiguration {
    $0.handshakeTimeout = .nanoseconds(Int64(InteropTimeouts.message * 1e9))
}

/// The session configuration of interop sessions that choose none: the library's defaults,
/// with the join timeout (10 s) as a time guard instead.
let interopSessionConfiguration = WAMPSession.Configuration(joinTimeout: .seconds(InteropTimeouts.message))

/// An operation did not complete in time.
struct InteropTimeoutError: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String { "timed out after \(seconds) s: \(what)" }
}

/// Runs `operation`, failing with ``InteropTimeoutError`` when it takes longer than
/// `seconds`. The caller resumes at the deadline even when the operation ignores
/// cancellation (it is cancelled and left behind), so that no test can hang.
func withTimeout<T: Sendable>(
    _ seconds: Double = InteropTimeouts.message, _ what: @autoclosure () -> String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let what = what()
    let race = Race<T>()
    return try await withCheckedThrowingContinuation { continuation in
        race.set(continuation)
        let work = Task {
            do {
                race.finish(.success(try await operation()))
            } catch {
                race.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            if race.finish(.failure(InteropTimeoutError(what: what, seconds: seconds))) { work.cancel() }
        }
        race.onFinish { timer.cancel() }
    }
}

/// The first of two results wins; the continuation is resumed exactly once.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var finished = false
        var onFinish: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { s in
            if let result = s.result { return result }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s in
            if s.finished { return true }
            s.onFinish = action
            return false
        }
        if runNow { action() }
    }

    /// Returns whether this result won.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (won, continuation, action) = state.withLock { s -> (Bool, CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !s.finished else { return (false, nil, nil) }
            s.finished = true
            let continuation = s.continuation
            s.continuation = nil
            if continuation == nil { s.result = result }
            let action = s.onFinish
            s.onFinish = nil
            return (true, continuation, action)
        }
        continuation?.resume(with: result)
        action?()
        return won
    }
}
