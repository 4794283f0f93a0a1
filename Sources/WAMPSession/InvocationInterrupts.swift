import Synchronization

/// How an INTERRUPT reaches a procedure handler: the handler runs in its job's own task (no
/// child task, no task group), and INTERRUPT cancels that task.
///
/// One entry per running invocation, from the INVOCATION until the handler returned. An
/// INTERRUPT that arrives before the job started is remembered, and the task is cancelled as
/// soon as it starts. A mutex of its own guards the table: the job registers its task from the
/// handler's task, without taking the session's lock.
final class InvocationInterrupts: Sendable {
    private struct Entry {
        /// INTERRUPT arrived (or the transport closed) for this invocation.
        var isInterrupted = false
        /// The task running the handler, once it started.
        var task: HandlerTask?
    }

    private let entries = Mutex<[UInt64: Entry]>([:])

    /// Invocation `ticket` starts (its job is queued).
    func add(_ ticket: UInt64) {
        entries.withLock { $0[ticket] = Entry() }
    }

    /// INTERRUPT for invocation `ticket`: cancels its handler's task, now or when it starts.
    /// The entry stays until the job is done with it.
    func interrupt(_ ticket: UInt64) {
        entries.withLock { entries in
            guard let index = entries.index(forKey: ticket) else { return }
            entries.values[index].isInterrupted = true
            entries.values[index].task?.cancel()
        }
    }

    /// The task running the handler of invocation `ticket` started.
    func started(_ ticket: UInt64, _ task: HandlerTask) {
        entries.withLock { entries in
            guard let index = entries.index(forKey: ticket) else { return }
            entries.values[index].task = task
            if entries.values[index].isInterrupted { task.cancel() }
        }
    }

    /// The handler of invocation `ticket` returned: INTERRUPT no longer reaches its task.
    func returned(_ ticket: UInt64) {
        entries.withLock { _ = $0.removeValue(forKey: ticket) }
    }

    /// The task that runs a procedure handler, for the table to cancel.
    ///
    /// `@unchecked Sendable`, because `UnsafeCurrentTask` is not. Why that is sound here:
    /// - the reference comes from `withUnsafeCurrentTask` in the handler's job, and is in the
    ///   table only while that closure runs: the closure puts it there when it starts and takes it
    ///   out before it returns, under the table's mutex, and the table cancels it under the same
    ///   mutex; so it is never used after its task ended, nor outside the closure's run;
    /// - the only call made on it from another task is `cancel()`, which `UnsafeCurrentTask`'s
    ///   documentation allows from other tasks (it is also an API of `Task`).
    struct HandlerTask: @unchecked Sendable {
        private let task: UnsafeCurrentTask

        init(_ task: UnsafeCurrentTask) {
            self.task = task
        }

        func cancel() {
            task.cancel()
        }
    }
}
