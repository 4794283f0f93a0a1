import JSONSerializer
import Synchronization
import Transport
import WAMPSession

/// An in-memory ``WAMPTransport``: what the session sends goes to a ``FakeRouter``, what the
/// router sends comes out of `inbound`.
final class FakeTransport: WAMPTransport {
    let inbound: AsyncThrowingStream<WAMPMessage, any Error>
    private let inboundContinuation: AsyncThrowingStream<WAMPMessage, any Error>.Continuation
    private let outboundContinuation: AsyncStream<WAMPMessage>.Continuation
    private let closed = Mutex(false)
    private let hold = Mutex<(matches: @Sendable (WAMPMessage) -> Bool, hold: SendHold)?>(nil)
    let router: FakeRouter

    init() {
        let (inbound, inboundContinuation) = AsyncThrowingStream.makeStream(of: WAMPMessage.self)
        let (outbound, outboundContinuation) = AsyncStream.makeStream(of: WAMPMessage.self)
        self.inbound = inbound
        self.inboundContinuation = inboundContinuation
        self.outboundContinuation = outboundContinuation
        self.router = FakeRouter(outbound: outbound, inbound: inboundContinuation)
        ClosesFakeTransports.current?.add(self)
    }

    var serializer: any WAMPSerializer { WAMPJSONSerializer() }
    var maxSendLength: Int { 1 << 24 }
    var isClosed: Bool { closed.withLock { $0 } }

    struct Closed: Error {}

    func send(_ message: WAMPMessage) async throws {
        guard !isClosed else { throw Closed() }
        let held = hold.withLock { slot -> SendHold? in
            guard let current = slot, current.matches(message) else { return nil }
            slot = nil
            return current.hold
        }
        outboundContinuation.yield(message)
        await held?.wait()
    }

    /// Back-pressure: the next send of a message that `matches` hands the message to the router
    /// and then waits until the returned hold is released.
    func holdNextSend(where matches: @escaping @Sendable (WAMPMessage) -> Bool) -> SendHold {
        let held = SendHold()
        hold.withLock { $0 = (matches, held) }
        return held
    }

    func close() async throws {
        closed.withLock { $0 = true }
        inboundContinuation.finish()
        outboundContinuation.finish()
    }

    /// The connection drops (the peer went away): inbound ends with an error.
    func drop() {
        closed.withLock { $0 = true }
        inboundContinuation.finish(throwing: Closed())
        outboundContinuation.finish()
    }
}
