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
///
/// The router may also send a message itself, in place of the writer (``claim()``), when that
/// keeps the order: nothing queued, nothing being written.
final class OutboundQueue: Sendable {
    private struct State {
        var entries: Deque<SessionLink.Outbound> = []
        var finished = false
        /// The writer took an entry and has not come back for the next: it may still be
        /// writing it.
        var writing = false
        /// The router is sending a message itself (``claim()``): the writer takes nothing
        /// until ``release(unsent:)``.
        var claimed = false
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

    /// Claims the connection for one message that the router sends itself, in place of the
    /// writer: `true` when nothing is queued and the writer is not writing (the message then
    /// keeps its place in the order), and the queue is not finished. Until
    /// ``release(unsent:)``, the writer takes nothing, and messages appended wait behind the
    /// claimed one.
    func claim() -> Bool {
        state.withLock { state in
            guard !state.finished, !state.claimed, !state.writing, state.entries.isEmpty else { return false }
            state.claimed = true
            return true
        }
    }

    /// Ends the claim. `unsent`, the claimed message when it was not sent after all, goes first
    /// in the queue (beyond the capacity if need be: it was routed before what is queued).
    func release(unsent: SessionLink.Outbound?) {
        let wake = state.withLock { state in
            state.claimed = false
            if let unsent { state.entries.prepend(unsent) }
            return !state.entries.isEmpty || state.finished
        }
        if wake { filled.ring() }
    }

    /// The first entry, when there is one and no claim holds the queue, without waiting.
    func nextNow() -> SessionLink.Outbound? {
        state.withLock { Self.take(&$0) }
    }

    /// The first entry for the writer (`writing` from then until it finds none).
    private static func take(_ state: inout State) -> SessionLink.Outbound? {
        guard !state.claimed, let entry = state.entries.popFirst() else {
            state.writing = false
            return nil
        }
        state.writing = true
        return entry
    }

    /// The next entry, waiting for one when the queue is empty or claimed; `nil` once the queue is
    /// finished and empty, or when the task is cancelled. One reader at a time.
    func next() async -> SessionLink.Outbound? {
        while true {
            let (entry, finished) = state.withLock { state in (Self.take(&state), state.finished && !state.claimed) }
            if let entry { return entry }
            if finished || Task.isCancelled { return nil }
            await filled.wait()
        }
    }
}
