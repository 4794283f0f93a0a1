import DequeModule
import Synchronization
import Transport

/// The messages waiting to be written to one connection, in order: filled by the router (under
/// its lock, never blocking) and taken one by one by the connection's writer task.
///
/// In place of an `AsyncStream`, whose generic code is not specialized for the element type
/// and looks up type metadata and moves its buffer for every element: this queue is a `Deque`
/// under a mutex. The writer waits on a ``Doorbell`` only when the queue is empty, and the
/// append that makes it non-empty rings it.
final class OutboundQueue: Sendable {
    private struct State {
        var entries: Deque<SessionLink.Outbound> = []
        var finished = false
    }

    private let state = Mutex(State())
    /// Rung when the queue goes from empty to not empty, and when it finishes.
    private let filled = Doorbell()
    /// The most entries held at once.
    let capacity: Int

    /// An empty queue of at most `capacity` entries (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends `entry`; `false`, and nothing appended, when the queue is full or finished.
    func append(_ entry: SessionLink.Outbound) -> Bool {
        let (appended, wasEmpty) = state.withLock { state -> (Bool, Bool) in
            guard !state.finished, state.entries.count < capacity else { return (false, false) }
            state.entries.append(entry)
            return (true, state.entries.count == 1)
        }
        if wasEmpty { filled.ring() }
        return appended
    }

    /// Ends the queue: what it holds is still taken, then ``next()`` returns `nil`.
    func finish() {
        state.withLock { $0.finished = true }
        filled.ring()
    }

    /// Drops what the queue holds and ends it.
    func drop() {
        let dropped = state.withLock { state in
            state.finished = true
            defer { state.entries = [] }
            return state.entries
        }
        filled.ring()
        _ = dropped  // released here, outside the lock
    }

    /// The next entry, waiting for one when the queue is empty; `nil` once the queue is
    /// finished and empty, or when the task is cancelled. One reader at a time.
    func next() async -> SessionLink.Outbound? {
        while true {
            let (entry, finished) = state.withLock { state in (state.entries.popFirst(), state.finished) }
            if let entry { return entry }
            if finished || Task.isCancelled { return nil }
            await filled.wait()
        }
    }
}
