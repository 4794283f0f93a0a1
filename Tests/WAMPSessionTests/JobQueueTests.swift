import Testing
import TimeGuards
import Transport
@testable import WAMPSession

@Suite("JobQueue", .scaledTimeLimit(minutes: 1))
struct JobQueueTests {
    static func token(_ job: WAMPSession.Job?) -> Int? {
        if case .subscriptionDropped(let token)? = job { token } else { nil }
    }

    @Test("jobs come out in the order they went in, queued before the reader asks")
    func keepsOrder() async {
        let queue = JobQueue()
        for token in 1 ... 100 { queue.append(.subscriptionDropped(token: token)) }
        var taken: [Int] = []
        for _ in 1 ... 100 { taken.append(Self.token(await queue.next()) ?? -1) }
        #expect(taken == Array(1 ... 100))
    }

    @Test("a reader waiting on an empty queue is woken by the next append")
    func wakesWaitingReader() async {
        let queue = JobQueue()
        async let first = queue.next()
        // Let the reader reach its wait: the result is the same whether or not it got there.
        try? await Task.sleep(for: .milliseconds(20))
        queue.append(.subscriptionDropped(token: 7))
        queue.append(.subscriptionDropped(token: 8))
        #expect(Self.token(await first) == 7)
        #expect(Self.token(await queue.next()) == 8)
    }

    @Test("a cancelled reader gets nil, waiting or not")
    func cancelledReaderGetsNil() async {
        let queue = JobQueue()
        let waiting = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        #expect(await waiting.value == nil)

        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        #expect(await cancelledFirst.value == nil)
    }
}
