import Synchronization
import Testing
import Transport
import WAMPRouter
import WAMPTesting

/// Runs a router for one test: ``connect()`` serves a new in-memory connection and returns
/// the client end; at the end every client end is closed and the test waits for every
/// ``WAMPRouter/serve(_:)`` to return.
final class RouterHarness: Sendable {
    let router: WAMPRouter
    private let connections: AsyncStream<InMemoryTransport>.Continuation
    private let clients = Mutex<[InMemoryTransport]>([])
    private let transportConfiguration: InMemoryTransport.Configuration

    /// Runs `body` with a router made from `configuration`.
    static func run(
        _ configuration: WAMPRouter.Configuration = .init(),
        transport: InMemoryTransport.Configuration = .init(),
        _ body: (RouterHarness) async throws -> Void
    ) async throws {
        let router = WAMPRouter(configuration: configuration)
        let (stream, continuation) = AsyncStream.makeStream(of: InMemoryTransport.self)
        let harness = RouterHarness(router: router, connections: continuation, transportConfiguration: transport)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                await withDiscardingTaskGroup { served in
                    for await server in stream {
                        served.addTask { await router.serve(server) }
                    }
                }
            }
            do {
                try await body(harness)
            } catch {
                await harness.closeAll()
                throw error
            }
            await harness.closeAll()
        }
    }

    private init(
        router: WAMPRouter, connections: AsyncStream<InMemoryTransport>.Continuation,
        transportConfiguration: InMemoryTransport.Configuration
    ) {
        self.router = router
        self.connections = connections
        self.transportConfiguration = transportConfiguration
    }

    /// A new connection to the router, not joined; with `configuration` in place of the
    /// harness's transport configuration when given.
    func connect(_ configuration: InMemoryTransport.Configuration? = nil) -> TestPeer {
        TestPeer(connectTransport(configuration))
    }

    /// A new connection to the router for a client of the test's own (a `WAMPSession`): the
    /// client end, closed at the end of the test.
    func connectTransport(_ configuration: InMemoryTransport.Configuration? = nil) -> InMemoryTransport {
        let (client, server) = InMemoryTransport.makePair(configuration: configuration ?? transportConfiguration)
        clients.withLock { $0.append(client) }
        connections.yield(server)
        return client
    }

    /// A new connection joined to `realm`.
    func join(_ realm: String = "realm1", roles: [String: WAMPValue] = TestPeer.allRoles) async throws -> TestPeer {
        let peer = connect()
        try await peer.join(realm, roles: roles)
        return peer
    }

    /// A callee registered for `procedure`, a caller, and one call in flight between them.
    func callInFlight(
        _ procedure: String = "com.example.slow", _ options: [String: WAMPValue] = [:]
    ) async throws -> (callee: TestPeer, caller: TestPeer, request: WAMPID, invocation: WAMPMessage.Invocation) {
        let callee = try await join()
        let caller = try await join()
        _ = try await callee.register(procedure)
        let request = try await caller.call(procedure, options)
        return (callee, caller, request, try await callee.receiveInvocation())
    }

    private func closeAll() async {
        connections.finish()
        for client in clients.withLock({ $0 }) { try? await client.close() }
    }
}

/// A raw WAMP client on an in-memory connection: sends messages, takes what the router sends.
final class TestPeer {
    /// Every client role, the callee and caller with `call_canceling` and
    /// `progressive_call_results`.
    static let allRoles: [String: WAMPValue] = [
        "caller": ["features": ["call_canceling": true, "progressive_call_results": true]],
        "callee": ["features": ["call_canceling": true, "progressive_call_results": true]],
        "publisher": [:], "subscriber": [:],
    ]

    let transport: InMemoryTransport
    private var inbound: InMemoryTransport.Inbound.AsyncIterator
    private var lastRequest: WAMPID = 0
    /// The session ID from WELCOME.
    private(set) var session: WAMPID = 0
    /// The WELCOME details.
    private(set) var welcome: [String: WAMPValue] = [:]

    init(_ transport: InMemoryTransport) {
        self.transport = transport
        inbound = transport.inbound.makeAsyncIterator()
    }

    /// The next request ID.
    func nextRequest() -> WAMPID {
        lastRequest += 1
        return lastRequest
    }

    func send(_ message: WAMPMessage) async throws {
        try await transport.send(message)
    }

    /// The next message from the router; fails the test when the connection ended.
    func receive(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage {
        try #require(try await inbound.next(), "the connection ended", sourceLocation: sourceLocation)
    }

    /// The next message or `nil` when the connection ended.
    func next() async throws -> WAMPMessage? {
        try await inbound.next()
    }

    /// Skips messages until the connection ends; returns the last one.
    func lastMessageBeforeEnd() async throws -> WAMPMessage? {
        var last: WAMPMessage?
        while let message = try await inbound.next() { last = message }
        return last
    }

    /// HELLO and WELCOME.
    func join(_ realm: String = "realm1", roles: [String: WAMPValue] = TestPeer.allRoles) async throws {
        try await send(.hello(.init(realm: realm, details: ["roles": .dict(roles)])))
        let welcome = try await receive("WELCOME") { if case .welcome(let m) = $0 { m } else { nil } }
        session = welcome.session
        self.welcome = welcome.details
    }

    /// SUBSCRIBE, SUBSCRIBED; returns the subscription ID.
    func subscribe(_ topic: String, _ options: [String: WAMPValue] = [:]) async throws -> WAMPID {
        let request = nextRequest()
        try await send(.subscribe(.init(request: request, options: options, topic: topic)))
        return try await receive("SUBSCRIBED for \(request)") {
            if case .subscribed(let m) = $0, m.request == request { m.subscription } else { nil }
        }
    }

    /// REGISTER, REGISTERED; returns the registration ID.
    func register(_ procedure: String, _ options: [String: WAMPValue] = [:]) async throws -> WAMPID {
        let request = nextRequest()
        try await send(.register(.init(request: request, options: options, procedure: procedure)))
        return try await receive("REGISTERED for \(request)") {
            if case .registered(let m) = $0, m.request == request { m.registration } else { nil }
        }
    }

    /// PUBLISH with `acknowledge`, PUBLISHED; returns the publication ID.
    func publishAcknowledged(
        _ topic: String, _ options: [String: WAMPValue] = [:], payload: WAMPPayload = .empty
    ) async throws -> WAMPID {
        let request = nextRequest()
        var options = options
        options["acknowledge"] = true
        try await send(.publish(.init(request: request, options: options, topic: topic, payload: payload)))
        return try await receive("PUBLISHED for \(request)") {
            if case .published(let m) = $0, m.request == request { m.publication } else { nil }
        }
    }

    /// CALL; returns its request ID.
    @discardableResult
    func call(_ procedure: String, _ options: [String: WAMPValue] = [:], payload: WAMPPayload = .empty) async throws -> WAMPID {
        let request = nextRequest()
        try await send(.call(.init(request: request, options: options, procedure: procedure, payload: payload)))
        return request
    }

    /// The next message, which `extract` must accept (it is named `name` in the failure).
    func receive<T>(
        _ name: String, sourceLocation: SourceLocation = #_sourceLocation, _ extract: (WAMPMessage) -> T?
    ) async throws -> T {
        let message = try await receive(sourceLocation: sourceLocation)
        guard let value = extract(message) else {
            Issue.record("expected \(name), got \(message)", sourceLocation: sourceLocation)
            throw UnexpectedMessage(message: message)
        }
        return value
    }

    /// The next message, which must be an EVENT.
    func receiveEvent(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Event {
        try await receive("EVENT", sourceLocation: sourceLocation) { if case .event(let m) = $0 { m } else { nil } }
    }

    /// The next message, which must be an INVOCATION.
    func receiveInvocation(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Invocation {
        try await receive("INVOCATION", sourceLocation: sourceLocation) { if case .invocation(let m) = $0 { m } else { nil } }
    }

    /// The next message, which must be a RESULT.
    func receiveResult(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Result {
        try await receive("RESULT", sourceLocation: sourceLocation) { if case .result(let m) = $0 { m } else { nil } }
    }

    /// The next message, which must be an ERROR.
    func receiveError(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Error {
        try await receive("ERROR", sourceLocation: sourceLocation) { if case .error(let m) = $0 { m } else { nil } }
    }

    /// The next message, which must be an ABORT.
    func receiveAbort(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Abort {
        try await receive("ABORT", sourceLocation: sourceLocation) { if case .abort(let m) = $0 { m } else { nil } }
    }

    /// The next message, which must be an INTERRUPT.
    func receiveInterrupt(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WAMPMessage.Interrupt {
        try await receive("INTERRUPT", sourceLocation: sourceLocation) { if case .interrupt(let m) = $0 { m } else { nil } }
    }
}

/// A message other than the one a test expected.
struct UnexpectedMessage: Error {
    let message: WAMPMessage
}
