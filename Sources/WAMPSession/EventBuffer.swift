import DequeModule
import Synchronization
import Transport

/// The events of one local subscription waiting to be read: filled by the session (never
/// waiting), read through ``Consumer`` by the subscription's iterator.
///
/// In place of an `AsyncThrowingStream`, whose generic code is not specialized for the element
/// type and looks up type metadata for every event. It keeps the stream's behaviour that the
/// session relies on:
/// - at most `limit` events wait; an event beyond that is dropped and ``yield(_:)`` says so
///   (the oldest are kept);
/// - ``finish(throwing:)`` ends it: the waiting events are still read, then the end or the error;
/// - the reader's task cancelled, or every ``Consumer`` released before the end, ends it too:
///   the waiting events are discarded and `onCancel` runs once.
final class EventBuffer: Sendable {
    /// What ``yield(_:)`` did with an event.
    enum YieldResult: Equatable {
        case enqueued
        /// The buffer was full.
        case dropped
        /// The buffer had ended.
        case terminated
    }

    private struct State {
        var events: Deque<WAMPEvent> = []
        /// Set when the buffer ends: `nil` error for a normal end.
        var end: (any Error)??
        var cancelled = false
    }

    private let state = Mutex(State())
    /// Rung when the events go from none to some, and when the buffer ends.
    private let filled = Doorbell()
    let limit: Int
    private let onCancel: @Sendable () -> Void

    /// An empty buffer of at most `limit` events (at least 1); `onCancel` runs when the reader
    /// gives the events up before their end.
    init(limit: Int, onCancel: @escaping @Sendable () -> Void) {
        self.limit = max(1, limit)
        self.onCancel = onCancel
    }

    /// Adds `event` for the reader.
    func yield(_ event: WAMPEvent) -> YieldResult {
        let (result, wasEmpty) = state.withLock { state -> (YieldResult, Bool) in
            guard state.end == nil, !state.cancelled else { return (.terminated, false) }
            guard state.events.count < limit else { return (.dropped, false) }
            state.events.append(event)
            return (.enqueued, state.events.count == 1)
        }
        if wasEmpty { filled.ring() }
        return result
    }

    /// Ends the events: the reader gets those waiting, then the end, or `error` when given.
    func finish(throwing error: (any Error)? = nil) {
        let ended = state.withLock { state -> Bool in
            guard state.end == nil, !state.cancelled else { return false }
            state.end = .some(error)
            return true
        }
        if ended { filled.ring() }
    }

    /// Ends the events for the reader: discards those waiting and runs `onCancel`, unless the
    /// buffer had ended already.
    func cancel() {
        let (cancelled, discarded) = state.withLock { state in
            guard state.end == nil, !state.cancelled else { return (false, Deque<WAMPEvent>()) }
            state.cancelled = true
            defer { state.events = [] }
            return (true, state.events)
        }
        _ = discarded  // released here, outside the lock
        guard cancelled else { return }
        filled.ring()
        onCancel()
    }

    /// The next event if one waits and the reader's task is not cancelled, without waiting:
    /// a reader that tries it before ``next()`` has no `await` on its path while events wait
    /// (each `await` costs a switch back to its executor and a lookup of the task's executor
    /// preference). `nil` leaves everything else (the end, cancellation, waiting) to ``next()``.
    func nextWaiting() -> WAMPEvent? {
        guard !Task.isCancelled else { return nil }
        return state.withLock { $0.events.popFirst() }
    }

    /// The next event, waiting for one; `nil` at the end or once cancelled; the error the
    /// buffer was finished with, once, after the last event.
    func next() async throws -> WAMPEvent? {
        while true {
            if Task.isCancelled {
                cancel()
                return nil
            }
            enum Taken {
                case event(WAMPEvent)
                case end((any Error)?)
                case wait
            }
            let taken = state.withLock { state -> Taken in
                if let event = state.events.popFirst() { return .event(event) }
                if state.cancelled { return .end(nil) }
                if let end = state.end {
                    state.end = .some(nil)  // the error is thrown once, then the end
                    return .end(end)
                }
                return .wait
            }
            switch taken {
            case .event(let event): return event
            case .end(let error?): throw error
            case .end(nil): return nil
            case .wait: await filled.wait()
            }
        }
    }

    /// The reader's side: while any copy of the subscription or of its iterators holds one, the
    /// events are wanted; when the last is released before the end, the buffer is cancelled.
    final class Consumer: Sendable {
        let buffer: EventBuffer

        init(_ buffer: EventBuffer) {
            self.buffer = buffer
        }

        deinit {
            buffer.cancel()
        }
    }
}
