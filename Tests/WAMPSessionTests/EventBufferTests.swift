import Synchronization
import Testing
import TimeGuards
import Transport
@testable import WAMPSession

@Suite("EventBuffer", .scaledTimeLimit(minutes: 1))
struct EventBufferTests {
    struct Failure: Error, Equatable {}

    final class Count: Sendable {
        let value = Atomic(0)
        func add() { value.add(1, ordering: .relaxed) }
        var now: Int { value.load(ordering: .relaxed) }
    }

    static func event(_ number: Int) -> WAMPEvent {
        WAMPEvent(topic: "com.example.topic", publication: WAMPID(number), args: [.integer(Int64(number))])
    }

    @Test("events come out in order; beyond the limit an event is dropped and yield says so, the oldest are kept")
    func keepsOldestUpToLimit() async throws {
        let buffer = EventBuffer(limit: 2) {}
        #expect(buffer.yield(Self.event(1)) == .enqueued)
        #expect(buffer.yield(Self.event(2)) == .enqueued)
        #expect(buffer.yield(Self.event(3)) == .dropped)
        #expect(try await buffer.next()?.args == [1])
        #expect(try await buffer.next()?.args == [2])
        #expect(buffer.yield(Self.event(4)) == .enqueued)
        #expect(try await buffer.next()?.args == [4])
    }

    @Test("finished with an error: the waiting events first, then the error once, then the end; no cancel")
    func finishThrowsAfterEvents() async throws {
        let cancels = Count()
        let buffer = EventBuffer(limit: 8) { cancels.add() }
        _ = buffer.yield(Self.event(1))
        buffer.finish(throwing: Failure())
        #expect(buffer.yield(Self.event(2)) == .terminated)
        #expect(try await buffer.next()?.args == [1])
        await #expect(throws: Failure.self) { try await buffer.next() }
        #expect(try await buffer.next() == nil)
        buffer.cancel()
        #expect(cancels.now == 0)
    }

    @Test("a waiting reader is woken by an event and by the end")
    func wakesWaitingReader() async throws {
        let buffer = EventBuffer(limit: 8) {}
        async let first = buffer.next()
        try? await Task.sleep(for: .milliseconds(20))
        _ = buffer.yield(Self.event(5))
        #expect(try await first?.args == [5])
        async let end = buffer.next()
        try? await Task.sleep(for: .milliseconds(20))
        buffer.finish()
        #expect(try await end == nil)
    }

    @Test("the reader's task cancelled while waiting: nil, the events discarded, onCancel once")
    func cancelledReader() async throws {
        let cancels = Count()
        let buffer = EventBuffer(limit: 8) { cancels.add() }
        let reader = Task { try await buffer.next() }
        try? await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(try await reader.value == nil)
        #expect(cancels.now == 1)
        #expect(buffer.yield(Self.event(1)) == .terminated)
        buffer.cancel()
        #expect(cancels.now == 1)
    }

    /// The subscription's iterator takes waiting events without an `await`
    /// (`EventBuffer.nextWaiting()`); a cancelled reader must still get no event.
    @Test("a subscription's reader whose task is cancelled while events wait gets nil, not the events; onCancel once")
    func cancelledReaderWithWaitingEvents() async throws {
        let cancels = Count()
        let buffer = EventBuffer(limit: 8) { cancels.add() }
        _ = buffer.yield(Self.event(1))
        _ = buffer.yield(Self.event(2))
        var iterator = WAMPSubscription.Iterator(events: EventBuffer.Consumer(buffer))
        #expect(try await iterator.next()?.args == [1])
        let rest = iterator
        let reader = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            var iterator = rest
            return try await iterator.next()
        }
        #expect(try await reader.value == nil)
        #expect(cancels.now == 1)
        #expect(buffer.yield(Self.event(3)) == .terminated)
    }

    @Test("the last consumer released before the end cancels the buffer; after the end it does not")
    func consumerReleaseCancels() {
        let cancels = Count()
        let buffer = EventBuffer(limit: 8) { cancels.add() }
        var consumer: EventBuffer.Consumer? = EventBuffer.Consumer(buffer)
        var copy = consumer
        consumer = nil
        #expect(cancels.now == 0)
        copy = nil
        _ = copy
        #expect(cancels.now == 1)

        let finished = EventBuffer(limit: 8) { cancels.add() }
        var other: EventBuffer.Consumer? = EventBuffer.Consumer(finished)
        finished.finish()
        other = nil
        _ = other
        #expect(cancels.now == 1)
    }
}
