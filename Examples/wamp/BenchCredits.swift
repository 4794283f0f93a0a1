import Synchronization
import Transport

/// The publisher's credits in `bench-router pubsub`: the subscriber grants one per event it
/// receives, the publisher takes one per event it publishes beyond the window.
///
/// A counter under a mutex and a `Doorbell`, in place of an `AsyncStream<Void>`, whose
/// unspecialized generic code cost the client more instructions per event than the rest of
/// the benchmark's own work.
final class BenchCredits: Sendable {
    private struct State {
        var available = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let granted = Doorbell()

    /// Adds one credit.
    func grant() {
        state.withLock { $0.available += 1 }
        granted.ring()
    }

    /// Ends the credits: ``take()`` returns `false` once none are left.
    func finish() {
        state.withLock { $0.finished = true }
        granted.ring()
    }

    /// Takes one credit, waiting for it; `false` when the credits have ended (or the task is
    /// cancelled) and none is left.
    func take() async -> Bool {
        while true {
            let (taken, finished) = state.withLock { state -> (Bool, Bool) in
                guard state.available > 0 else { return (false, state.finished) }
                state.available -= 1
                return (true, false)
            }
            if taken { return true }
            if finished || Task.isCancelled { return false }
            await granted.wait()
        }
    }
}
