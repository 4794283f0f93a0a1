import JSONSerializer
import Synchronization
import Transport
@testable import WAMPSession

/// An in-memory ``WAMPTransport``: what the session sends goes to a ``FakeRouter``, what the
/// router sends comes out of `inbound`.
///
/// Like a router, it can answer on its own: HELLO with WELCOME (`welcome`), the session's
/// GOODBYE with GOODBYE `wamp.close.goodbye_and_out` (`answersGoodbye`); the messages still
/// reach the ``FakeRouter``.
final class FakeTransport: WAMPTransport {
    let inbound: AsyncThrowingStream<WAMPMessage, any Error>
    private let inboundContinuation: AsyncThrowingStream<WAMPMessage, any Error>.Continuation
    private let outboundContinuation: AsyncStream<WAMPMessage>.Continuation
    private let closed = Mutex(false)
    private let hold = Mutex<(matches: @Sendable (WAMPMessage) -> Bool, release: OneShotSignal)?>(nil)
    private let welcome: WAMPID?
    private let answersGoodbye: Bool
    let router: FakeRouter

    /// A transport whose router answers HELLO with WELCOME `welcome` (when given) and the
    /// session's GOODBYE with GOODBYE (when `answersGoodbye`).
    init(welcome: WAMPID? = nil, answersGoodbye: Bool = true) {
        let (inbound, inboundContinuation) = AsyncThrowingStream.makeStream(of: WAMPMessage.self)
        let (outbound, outboundContinuation) = AsyncStream.makeStream(of: WAMPMessage.self)
        self.inbound = inbound
        self.inboundContinuation = inboundContinuation
        self.outboundContinuation = outboundContinuation
        self.welcome = welcome
        self.answersGoodbye = answersGoodbye
        self.router = FakeRouter(outbound: outbound, inbound: inboundContinuation)
        ClosesFakeTransports.current?.add(self)
    }

    var serializer: any WAMPSerializer { WAMPJSONSerializer() }
    var maxSendLength: Int { 1 << 24 }
    var isClosed: Bool { closed.withLock { $0 } }

    struct Closed: Error {}

    func send(_ message: WAMPMessage) async throws {
        guard !isClosed else { throw Closed() }
        let held = hold.withLock { slot -> OneShotSignal? in
            guard let current = slot, current.matches(message) else { return nil }
            slot = nil
            return current.release
        }
        outboundContinuation.yield(message)
        switch message {
        case .hello:
            if let welcome { router.send(.welcome(.init(session: welcome, details: FakeRouter.roles))) }
        case .goodbye(let goodbye) where answersGoodbye && goodbye.reason != WAMPURI.goodbyeAndOut:
            router.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
        default:
            break
        }
        await held?.wait()
    }

    /// Back-pressure: the next send of a message that `matches` hands the message to the router
    /// and then waits until the returned signal fires.
    func holdNextSend(where matches: @escaping @Sendable (WAMPMessage) -> Bool) -> OneShotSignal {
        let release = OneShotSignal()
        hold.withLock { $0 = (matches, release) }
        return release
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
