import DequeModule
import Synchronization
import Transport

/// The session's background jobs (handlers to run, calls and subscriptions given up), queued
/// by the session without waiting and taken one by one by the session's background task, which
/// starts a child task for each.
///
/// In place of an `AsyncStream`, whose generic code is not specialized for the element type
/// and looks up type metadata for every element: a `Deque` under a mutex, whose reader waits
/// on a `Doorbell` only when it is empty. Unbounded, as the stream was: the jobs are bounded by
/// the handlers allowed to run (`maxConcurrentInvocations`) and by the calls and subscriptions
/// the user has.
final class JobQueue: Sendable {
    private let jobs = Mutex(Deque<WAMPSession.Job>())
    /// Rung when the queue goes from empty to not empty.
    private let filled = Doorbell()

    init() {}

    /// Queues `job`.
    func append(_ job: WAMPSession.Job) {
        let wasEmpty = jobs.withLock { jobs in
            jobs.append(job)
            return jobs.count == 1
        }
        if wasEmpty { filled.ring() }
    }

    /// The next job, waiting for one when the queue is empty; `nil` when the task is cancelled.
    /// One reader at a time.
    func next() async -> WAMPSession.Job? {
        while !Task.isCancelled {
            if let job = jobs.withLock({ $0.popFirst() }) { return job }
            await filled.wait()
        }
        return nil
    }
}
