import Synchronization

/// A signal that fires once, for one waiting task at a time: the session's timer loop waits
/// for an earlier deadline with it.
///
/// Cancelling the waiting task fires the signal, so that a task group racing the wait against
/// other work can always end.
///
/// ```swift
/// let wakeUp = OneShotSignal()
/// async let wokenUp: Void = wakeUp.wait()
/// wakeUp.fire()
/// await wokenUp
/// ```
final class OneShotSignal: Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Whether the signal fired.
    var hasFired: Bool { state.withLock { $0.fired } }

    /// Returns once the signal fired (at once when it has), or the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let firedAlready = state.withLock { state -> Bool in
                    guard !state.fired else { return true }
                    state.waiter = continuation
                    return false
                }
                if firedAlready { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
    }

    /// Fires the signal: the waiting task resumes; later waits return at once.
    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
