import NIOCore
import Testing
import TimeGuards
import Transport
@testable import WAMPRouter
import WAMPTesting

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

/// The router's claim on a connection, to send a message itself in place of the writer.
@Suite("A claim on a connection's outbound queue", .scaledTimeLimit(minutes: 1))
struct OutboundQueueClaimTests {
    typealias Queued = OutboundQueueTests

    @Test("while a claim holds the queue the writer takes nothing; what is appended meanwhile comes after the claimed message when it goes back in")
    func claimKeepsItsPlace() async {
        let queue = OutboundQueue(capacity: 8)
        #expect(queue.claim())
        #expect(queue.append(Queued.entry(2)))
        #expect(queue.nextNow() == nil, "claimed")
        queue.release(unsent: Queued.entry(1))
        #expect(Queued.request(await queue.next()) == 1)
        #expect(Queued.request(queue.nextNow()) == 2)
    }

    @Test("a claim is refused while something is queued, while the writer has not come back from the entry it took, and while another claim holds")
    func claimRefusedWhenItWouldOvertake() {
        let queue = OutboundQueue(capacity: 8)
        #expect(queue.append(Queued.entry(1)))
        #expect(!queue.claim(), "an entry is queued")
        #expect(Queued.request(queue.nextNow()) == 1)
        #expect(!queue.claim(), "the writer may still be writing what it took")
        #expect(queue.nextNow() == nil)
        #expect(queue.claim(), "the writer came back and found nothing")
        #expect(!queue.claim(), "one claim at a time")
        queue.release(unsent: nil)
        #expect(queue.claim())
        queue.release(unsent: nil)
    }

    @Test("a queue finished during a claim ends its waiting writer once the claim is released, after the unsent message")
    func finishDuringClaim() async {
        let queue = OutboundQueue(capacity: 8)
        #expect(queue.claim())
        queue.finish()
        #expect(!queue.claim())
        async let first = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.release(unsent: Queued.entry(1))
        #expect(Queued.request(await first) == 1)
        #expect(await queue.next() == nil)
    }

    @Test("a message queued for the writer whose payload is a slice of a much larger buffer is copied first; the caller's message keeps its slice")
    func queuedPayloadIsUnpinned() {
        var received = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        received.writeBytes([0x91, 0x01])  // [1]
        let slice = received.getSlice(at: received.readerIndex, length: 2)!
        let payload = WAMPSerializedPayload(bytes: slice, hasKeywords: false, serializer: InMemorySerializer(), keepingSlice: true)
        #expect(payload.pinsMemory)
        let message = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .serialized(payload)))
        let link = SessionLink(queueLength: 8, octetLimit: 1 << 20)
        #expect(link.enqueue(message))
        guard case .serialized(let queued)? = link.outbound.nextNow()?.message.payload else {
            Issue.record("the queued message lost its serialized payload")
            return
        }
        #expect(!queued.pinsMemory)
        #expect(Array(queued.bytes.readableBytesView) == [0x91, 0x01])
    }
}
