public import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop. Transports built on SwiftNIO return
/// one for their channel's loop as ``WAMPTransport/executor``: a task that prefers it
/// (`withTaskExecutorPreference(transport.executor) { ... }`) takes received messages and sends
/// on the thread that does the connection's I/O, so there is no thread hop (and no cross-CPU
/// wake-up) per message.
///
/// Code running on it must not block: it shares the thread with every channel of that loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop that runs the jobs.
    public let eventLoop: any EventLoop

    /// Creates an executor running jobs on `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop, after what is already queued there.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
