public import NIOCore
import Synchronization

/// A `TaskExecutor` that runs jobs on one NIO event loop. Transports built on SwiftNIO return
/// one for their channel's loop as ``WAMPTransport/executor``: a task that prefers it
/// (`withTaskExecutorPreference(transport.executor) { ... }`) takes received messages and sends
/// on the thread that does the connection's I/O, so there is no thread hop (and no cross-CPU
/// wake-up) per message.
///
/// Jobs wait in the executor's own queue, in the order they were enqueued, and run in turns:
/// the first job enqueued while no turn is planned plans one (a single `EventLoop.execute`),
/// and a turn runs the queue until it is empty, jobs enqueued while it runs included, at most
/// ``jobsPerTurn`` of them; then the loop does its I/O and other tasks before the next turn.
/// A task that hops between an actor and this executor several times per message therefore
/// costs one `execute` (one closure and one pass through the loop's locked task queue) per
/// burst, not per hop.
///
/// Code running on it must not block: it shares the thread with every channel of that loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The most jobs one turn runs before the loop gets its own work (I/O, other tasks) done:
    /// 128. Jobs left over run in the next turn, planned at once.
    public static var jobsPerTurn: Int { 128 }

    /// The loop that runs the jobs.
    public let eventLoop: any EventLoop

    private struct Queue {
        var jobs = CircularBuffer<UnownedJob>(initialCapacity: 16)
        /// A turn is planned or running: an enqueued job will be run by it.
        var turnPlanned = false
    }

    private let queue = Mutex(Queue())

    /// Creates an executor running jobs on `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Queues `job`; it runs on the event loop after the jobs queued before it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let planTurn = queue.withLock { queue in
            queue.jobs.append(job)
            if queue.turnPlanned { return false }
            queue.turnPlanned = true
            return true
        }
        if planTurn { planNextTurn() }
    }

    /// Plans a turn on the loop. The closure holds the executor until the turn has run, so a
    /// job that releases the last other reference to it does not end it mid-turn.
    private func planNextTurn() {
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { self.runTurn(on: executor) }
    }

    /// Runs queued jobs until the queue is empty (the turn then ends, and the next enqueue plans
    /// one) or ``jobsPerTurn`` ran (the next turn is planned at once).
    private func runTurn(on executor: UnownedTaskExecutor) {
        for _ in 0 ..< Self.jobsPerTurn {
            let next = queue.withLock { queue -> UnownedJob? in
                if let job = queue.jobs.popFirst() { return job }
                queue.turnPlanned = false
                return nil
            }
            guard let next else { return }
            next.runSynchronously(on: executor)
        }
        planNextTurn()
    }
}
