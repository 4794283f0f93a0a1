import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop: a task that prefers it runs on the
/// thread that reads and writes its channel, so taking a received message and sending the
/// answer costs no thread hop (and no cross-CPU wake-up) per message.
///
/// Code running on it must not block: it shares the thread with every channel of that loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
