import Transport
import WAMPSession

/// The router's end of a ``FakeTransport``: reads what the session sent, sends it messages.
/// Tests that wait for a message rely on the suites' time limit as a hang guard.
final class FakeRouter: Sendable {
    private let outbound: AsyncStream<WAMPMessage>
    private let inbound: AsyncThrowingStream<WAMPMessage, any Error>.Continuation

    init(outbound: AsyncStream<WAMPMessage>, inbound: AsyncThrowingStream<WAMPMessage, any Error>.Continuation) {
        self.outbound = outbound
        self.inbound = inbound
    }

    struct Unexpected: Error, CustomStringConvertible {
        let description: String
    }

    /// The next message the session sent, or `nil` when the session closed the transport.
    /// (An AsyncStream's iterators share its buffer, so a new iterator per call reads on.)
    func next() async -> WAMPMessage? {
        var iterator = outbound.makeAsyncIterator()
        return await iterator.next()
    }

    /// The next message, which must be of the given kind.
    func expect<T>(_ what: String, _ extract: (WAMPMessage) -> T?) async throws -> T {
        guard let message = await next() else { throw Unexpected(description: "the session closed; expected \(what)") }
        guard let value = extract(message) else { throw Unexpected(description: "expected \(what), got \(message)") }
        return value
    }

    func send(_ message: WAMPMessage) {
        inbound.yield(message)
    }

    /// Reads HELLO and answers WELCOME with `session`.
    @discardableResult
    func welcome(session: WAMPID = 77) async throws -> WAMPMessage.Hello {
        let hello = try await expect("HELLO") { if case .hello(let h) = $0 { h } else { nil } }
        send(.welcome(.init(session: session, details: ["roles": ["dealer": [:], "broker": [:]]])))
        return hello
    }
}

/// A session joined over a fresh fake transport.
func joinedSession(configuration: WAMPSession.Configuration = .init()) async throws -> (WAMPSession, FakeTransport) {
    let transport = FakeTransport()
    async let session = WAMPSession.join(transport, realm: "realm1", configuration: configuration)
    try await transport.router.welcome()
    return (try await session, transport)
}
