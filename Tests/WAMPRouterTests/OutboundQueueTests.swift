import Testing
import TimeGuards
import Transport
@testable import WAMPRouter

/// The queue between the router and a connection's writer.
@Suite("A connection's outbound queue", .scaledTimeLimit(minutes: 1))
struct OutboundQueueTests {
    static func entry(_ n: WAMPID) -> SessionLink.Outbound {
        SessionLink.Outbound(message: .published(.init(request: n, publication: n)), octets: 10)
    }

    static func request(_ entry: SessionLink.Outbound?) -> WAMPID? {
        if case .published(let published)? = entry?.message { published.request } else { nil }
    }

    @Test("entries come out in order; a full queue refuses more; after finish the rest is still taken")
    func orderCapacityAndFinish() async {
        let queue = OutboundQueue(capacity: 2)
        #expect(queue.append(Self.entry(1)) && queue.append(Self.entry(2)))
        #expect(!queue.append(Self.entry(3)), "full")
        #expect(Self.request(await queue.next()) == 1)
        #expect(queue.append(Self.entry(3)))
        queue.finish()
        #expect(!queue.append(Self.entry(4)), "finished")
        #expect(Self.request(await queue.next()) == 2)
        #expect(Self.request(await queue.next()) == 3)
        #expect(await queue.next() == nil)
    }

    @Test("a dropped queue lets go of its entries at once and ends")
    func dropReleasesEntries() async {
        let queue = OutboundQueue(capacity: 8)
        for n in 1 ... 5 { #expect(queue.append(Self.entry(WAMPID(n)))) }
        queue.drop()
        #expect(await queue.next() == nil, "nothing queued is written after a drop")
        #expect(!queue.append(Self.entry(6)))
    }

    @Test("a waiting reader wakes for an append, and for a drop")
    func waitingReaderWakes() async {
        let queue = OutboundQueue(capacity: 8)
        async let first = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        #expect(queue.append(Self.entry(7)))
        #expect(Self.request(await first) == 7)
        async let second = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.drop()
        #expect(await second == nil)
    }

    @Test("a cancelled reader returns nil")
    func cancelledReaderEnds() async {
        let queue = OutboundQueue(capacity: 8)
        let reader = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await reader.value == nil)
    }
}
