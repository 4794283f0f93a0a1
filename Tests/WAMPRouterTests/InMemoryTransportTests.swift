import JSONSerializer
import Testing
import TimeGuards
import Transport
import WAMPTesting

@Suite("The in-memory transport", .scaledTimeLimit(minutes: 1))
struct InMemoryTransportTests {
    static let hello = WAMPMessage.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]]))

    @Test("messages arrive in order; closing ends the peer's inbound after what was sent")
    func orderAndClose() async throws {
        let (a, b) = InMemoryTransport.makePair()
        for n in 1 ... 3 { try await a.send(.published(.init(request: WAMPID(n), publication: 1))) }
        try await a.close()
        var received: [WAMPMessage] = []
        for try await message in b.inbound { received.append(message) }
        #expect(received == (1 ... 3).map { .published(.init(request: WAMPID($0), publication: 1)) })
    }

    @Test("after either side closes, sends on both sides throw connectionClosed and the closer's inbound ends")
    func sendAfterClose() async throws {
        let (a, b) = InMemoryTransport.makePair()
        try await b.close()
        for side in [a, b] {
            do {
                try await side.send(Self.hello)
                Issue.record("send after close succeeded")
            } catch let error as any WAMPTransportError {
                #expect(error.kind == .connectionClosed)
            }
        }
        var inbound = b.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == nil)
    }

    @Test("a sender waits while the buffer is full, and is released when the peer reads or closes")
    func boundedBuffering() async throws {
        var configuration = InMemoryTransport.Configuration()
        configuration.bufferedMessages = 2
        let (a, b) = InMemoryTransport.makePair(configuration: configuration)
        try await a.send(Self.hello)
        try await a.send(Self.hello)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.send(Self.hello) }  // the third waits for room
            var inbound = b.inbound.makeAsyncIterator()
            _ = try await inbound.next()
            try await group.next()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await a.send(Self.hello)  // waits again: 3 buffered
                Issue.record("the waiting send did not throw")
            }
            try await b.close()
            do {
                try await group.next()
            } catch let error as any WAMPTransportError {
                #expect(error.kind == .connectionClosed)
            }
        }
    }

    @Test("with a serializer, messages make the round trip, and one over the size limit is refused")
    func serializerRoundTrip() async throws {
        var configuration = InMemoryTransport.Configuration(serializer: WAMPJSONSerializer())
        configuration.maxSendLength = 64
        let (a, b) = InMemoryTransport.makePair(configuration: configuration)
        #expect(a.serializer.id == .json)
        do {
            try await a.send(.publish(.init(request: 1, topic: "t", payload: .arguments([.string(String(repeating: "x", count: 100))], [:]))))
            Issue.record("an oversized message was sent")
        } catch let error as any WAMPTransportError {
            #expect(error.kind == .messageTooLarge)
        }
        try await a.send(.publish(.init(request: 2, topic: "t", payload: .arguments([1.5], [:]))))
        var inbound = b.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == .publish(.init(request: 2, topic: "t", payload: .arguments([1.5], [:]))))
        #expect(InMemoryTransport.makePair().0.serializer.id.name == "in-memory")
    }
}
