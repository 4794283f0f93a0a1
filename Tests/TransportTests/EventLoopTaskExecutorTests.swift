import NIOCore
import NIOPosix
import Synchronization
import Testing
import TimeGuards
import Transport

/// `EventLoopTaskExecutor` queues jobs itself and runs them in turns on the loop.
@Suite("EventLoopTaskExecutor", .scaledTimeLimit(minutes: 1))
struct EventLoopTaskExecutorTests {
    /// What the jobs and the loop's own tasks did, in order.
    final class Log: Sendable {
        private let entries = Mutex<[Int]>([])
        func append(_ entry: Int) { entries.withLock { $0.append(entry) } }
        var all: [Int] { entries.withLock { $0 } }
    }

    @Test("jobs run on the event loop in the order they were enqueued, more than one turn's worth too")
    func jobsRunInOrderOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let log = Log()
        let count = 3 * EventLoopTaskExecutor.jobsPerTurn + 5
        let onLoop = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self, returning: Bool.self) { tasks in
                for index in 0 ..< count {
                    tasks.addTask {
                        log.append(index)
                        return executor.eventLoop.inEventLoop
                    }
                }
                return await tasks.reduce(true) { $0 && $1 }
            }
        }
        #expect(onLoop)
        #expect(log.all == Array(0 ..< count))
        try await group.shutdownGracefully()
    }

    /// Without the bound, the loop's task would wait for every job of the burst.
    @Test("a burst of jobs lets the loop run its own tasks after at most jobsPerTurn of them")
    func aBurstYieldsToTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let log = Log()
        let count = 4 * EventLoopTaskExecutor.jobsPerTurn
        await withTaskExecutorPreference(executor) {
            await withDiscardingTaskGroup { tasks in
                for index in 0 ..< count {
                    tasks.addTask {
                        if index == 0 { loop.execute { log.append(-1) } }
                        log.append(index)
                    }
                }
            }
        }
        let entries = log.all
        let loopTask = try #require(entries.firstIndex(of: -1))
        #expect(loopTask <= EventLoopTaskExecutor.jobsPerTurn)
        #expect(entries.filter { $0 >= 0 } == Array(0 ..< count))
        try await group.shutdownGracefully()
    }

    @Test("a job enqueued from another thread runs on the event loop")
    func offLoopEnqueueRuns() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        #expect(!executor.eventLoop.inEventLoop)
        let task = Task(executorPreference: executor) { executor.eventLoop.inEventLoop }
        #expect(await task.value)
        try await group.shutdownGracefully()
    }

    /// A turn holds the executor only while it runs: no cycle keeps it alive afterwards.
    @Test("the executor is released once its last turn ran")
    func executorIsReleasedAfterItsTurns() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        weak var released: EventLoopTaskExecutor?
        do {
            let executor = EventLoopTaskExecutor(loop)
            released = executor
            let ran = await withTaskExecutorPreference(executor) {
                await withTaskGroup(of: Bool.self, returning: Bool.self) { tasks in
                    tasks.addTask { loop.inEventLoop }
                    return await tasks.next() ?? false
                }
            }
            #expect(ran)
        }
        // The turn that ran the last job ends before this closure runs on the loop.
        try await loop.submit {}.get()
        #expect(released == nil)
        try await group.shutdownGracefully()
    }
}
