import Testing
import Transport
import WAMPSession

/// The router's end of a ``FakeTransport``: reads what the session sent, sends it messages.
/// Tests that wait for a message rely on the suites' time limit as a hang guard.
final class FakeRouter: Sendable {
    private let outbound: AsyncStream<WAMPMessage>
    private let inbound: AsyncThrowingStream<WAMPMessage, any Error>.Continuation

    /// The WELCOME details the fake router gives.
    static let roles: [String: WAMPValue] = ["roles": ["dealer": [:], "broker": [:]]]

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

    /// The next message, which must be HELLO.
    @discardableResult
    func expectHello() async throws -> WAMPMessage.Hello {
        try await expect("HELLO") { if case .hello(let h) = $0 { h } else { nil } }
    }

    func send(_ message: WAMPMessage) {
        inbound.yield(message)
    }

    /// Reads HELLO and answers WELCOME with `session`.
    @discardableResult
    func welcome(session: WAMPID = 77) async throws -> WAMPMessage.Hello {
        let hello = try await expectHello()
        send(.welcome(.init(session: session, details: Self.roles)))
        return hello
    }
}

/// Runs `body` with a session joined (session 77) over a fresh fake transport whose router
/// answers HELLO and GOODBYE; the HELLO is read already. The scope leaves when `body` returns.
func withJoinedSession(
    configuration: WAMPSession.Configuration = .init(), _ body: (WAMPSession, FakeTransport) async throws -> Void
) async throws {
    let transport = FakeTransport(welcome: 77)
    try await WAMPSession.withSession(joining: transport, realm: "realm1", configuration: configuration) { session in
        try await transport.router.expectHello()
        try await body(session, transport)
    }
}
