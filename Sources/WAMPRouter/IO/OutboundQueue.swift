import DequeModule
import Synchronization

/// The messages waiting to be written to one connection, in order: filled by the router (under
/// its lock, never blocking) and taken one by one by the connection's writer task.
///
/// In place of an `AsyncStream`, whose generic code is not specialized for the element type
/// and looks up type metadata and moves its buffer for every element: this queue is a `Deque`
/// under a mutex, with one waiting reader at most. The writer suspends only when the queue is
/// empty, and one append wakes it.
final class OutboundQueue: Sendable {
    private struct State {
        var entries: Deque<SessionLink.Outbound> = []
        var reader: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    /// The most entries held at once.
    let capacity: Int

    /// An empty queue of at most `capacity` entries (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends `entry`; `false`, and nothing appended, when the queue is full or finished.
    func append(_ entry: SessionLink.Outbound) -> Bool {
        let (appended, reader) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.finished, state.entries.count < capacity else { return (false, nil) }
            state.entries.append(entry)
            defer { state.reader = nil }
            return (true, state.reader)
        }
        reader?.resume()
        return appended
    }

    /// Ends the queue: what it holds is still taken, then ``next()`` returns `nil`.
    func finish() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.reader = nil }
            return state.reader
        }?.resume()
    }

    /// Drops what the queue holds and ends it.
    func drop() {
        let dropped = state.withLock { state -> (Deque<SessionLink.Outbound>, CheckedContinuation<Void, Never>?) in
            state.finished = true
            defer {
                state.entries = []
                state.reader = nil
            }
            return (state.entries, state.reader)
        }
        dropped.1?.resume()
    }

    /// The next entry, waiting for one when the queue is empty; `nil` once the queue is
    /// finished and empty, or when the task is cancelled. One reader at a time.
    func next() async -> SessionLink.Outbound? {
        while true {
            if let entry = takeFirst() { return entry }
            if Task.isCancelled { return nil }
            let finished = state.withLock { $0.finished && $0.entries.isEmpty }
            if finished { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (reader: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state in
                        if !state.entries.isEmpty || state.finished || Task.isCancelled { return true }
                        state.reader = reader
                        return false
                    }
                    if ready { reader.resume() }
                }
            } onCancel: {
                state.withLock { state in
                    defer { state.reader = nil }
                    return state.reader
                }?.resume()
            }
        }
    }

    /// The first entry, if there is one.
    private func takeFirst() -> SessionLink.Outbound? {
        state.withLock { $0.entries.popFirst() }
    }
}
