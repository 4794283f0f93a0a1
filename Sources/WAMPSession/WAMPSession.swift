public import Logging
import Synchronization
public import Transport

/// A WAMP client session: joins a realm over any `WAMPTransport` and offers the four client
/// roles (caller, callee, publisher, subscriber) with async/await.
///
/// A session lives in a scope: ``withSession(joining:realm:configuration:logger:isolation:_:)``
/// joins, runs your code with the session, then leaves. Its background work (the task reading the
/// transport, the timers of calls, joins and leaves, the procedure handlers, reconnection) runs
/// in child tasks of that scope, so nothing outlives the call.
///
/// ```swift
/// let transport = try await RawSocketClient.connect(to: try RawSocketEndpoint(url: "rs://127.0.0.1:8080"),
///                                                   serializer: WAMPJSONSerializer())
/// let sum: Int = try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
///     try await session.call("com.example.add", 2, 3)
/// }
/// ```
///
/// The protocol logic (joining, leaving, reconnecting, matching replies to requests) is a value,
/// `WAMPSessionStateMachine`, tested without a transport. The session keeps it behind one lock,
/// feeds it events and performs what it asks for outside the lock, in the task of whoever
/// caused the event: a call runs on its caller's executor, without a hop to another one. The
/// session uses the `WAMPTransport` protocol only, so it runs unchanged on RawSocket, WebSocket
/// or an in-memory transport.
///
/// A session made with ``withSession(realm:configuration:logger:connector:isolation:_:)`` and a
/// ``Configuration/reconnect`` policy reconnects after its transport drops, joins again and
/// restores its subscriptions and registrations; ``lifecycle`` reports each step.
public final class WAMPSession: Sendable {
    /// A procedure handler: the invocation in, the result out; a thrown ``WAMPError`` becomes
    /// that ERROR, any other error `wamp.error.runtime_error`.
    public typealias Handler = @Sendable (WAMPInvocation) async throws -> WAMPResult

    /// The label of the default logger of ``withSession(joining:realm:configuration:logger:isolation:_:)``
    /// and ``withSession(realm:configuration:logger:connector:isolation:_:)``: `wamp.session`.
    ///
    /// Levels: joining, leaving and reconnecting at `debug`; failures (connection lost, join
    /// failed, protocol violation, a call timed out) at `warning`; each message at `trace`.
    public static let loggerLabel = "wamp.session"

    /// The realm joined.
    public let realm: String
    /// The session's settings.
    public let configuration: Configuration
    /// The session's life cycle: joined, disconnected, reconnecting, restored, closed. It
    /// finishes when the session closes for good. Iterate it from one task; it keeps the
    /// newest 64 events for a reader that falls behind.
    public let lifecycle: AsyncStream<WAMPSessionEvent>

    /// The session ID of the current join, `nil` while not joined.
    public var sessionID: WAMPID? {
        get async { state.withLock { $0.machine.sessionID } }
    }
    /// The WELCOME details of the current join (router roles, authid, authrole, ...).
    public var welcomeDetails: [String: WAMPValue] {
        get async { state.withLock { $0.machine.welcomeDetails } }
    }

    /// The logger of the session's background work (reading, reconnecting).
    let logger: Logger
    /// Calls, errors and events, with the realm as dimension.
    let metrics: WAMPSessionMetrics
    let lifecycleContinuation: AsyncStream<WAMPSessionEvent>.Continuation
    let connector: (@Sendable () async throws -> any WAMPTransport)?
    /// Work asked for from synchronous callbacks (a cancelled call, a dropped subscription) and
    /// the procedure handlers, run as child tasks of the session's scope.
    let jobs = JobQueue()
    /// How INTERRUPT reaches each running handler.
    let interrupts = InvocationInterrupts()
    /// Everything that changes: the state machine and what waits on it. Continuations are
    /// resumed and messages sent after the lock is released.
    let state: Mutex<State>

    /// The session's changing state, behind ``state``.
    struct State: ~Copyable {
        var machine: WAMPSessionStateMachine
        /// The current transport and the machine's generation it belongs to.
        var current: Target?
        var timers = WAMPSessionTimers()
        /// Requesters waiting for their reply, by ticket.
        var waiters: [UInt64: CheckedContinuation<WAMPMessage, any Error>] = [:]
        /// Progressive calls' sequences, by ticket.
        var progressSinks: [UInt64: AsyncThrowingStream<WAMPResult, any Error>.Continuation] = [:]
        /// Local subscriptions' sequences, by token.
        var eventSinks: [Int: EventBuffer] = [:]
        var joinWaiter: CheckedContinuation<Void, any Error>?
        var joinResult: Result<Void, any Error>?
        var leaveWaiters: [CheckedContinuation<Void, Never>] = []
    }

    init(
        realm: String, configuration: Configuration, logger: Logger,
        connector: (@Sendable () async throws -> any WAMPTransport)?
    ) {
        self.realm = realm
        self.configuration = configuration
        self.metrics = WAMPSessionMetrics(realm: realm)
        var logger = logger
        logger[metadataKey: "wamp.realm"] = .string(realm)
        self.logger = logger
        self.connector = connector
        (lifecycle, lifecycleContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        state = Mutex(State(
            machine: WAMPSessionStateMachine(realm: realm, configuration: configuration, canReconnect: connector != nil)))
    }

    // MARK: - Scopes

    /// Joins `realm` over an open transport, runs `body` with the session, then leaves (also
    /// when `body` throws) and closes the transport. The session's background work runs in
    /// child tasks of this call and ends with it.
    ///
    /// ```swift
    /// try await WAMPSession.withSession(joining: transport, realm: "realm1") { session in
    ///     try await session.publish("com.example.hello", args: ["world"], acknowledge: true)
    /// }
    /// ```
    ///
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws; before `body` runs, ``WAMPSessionError`` with
    ///   ``WAMPSessionError/Code/aborted`` (the router's ABORT, with its reason and details),
    ///   ``WAMPSessionError/Code/joinTimedOut``, ``WAMPSessionError/Code/authenticationFailed``,
    ///   ``WAMPSessionError/Code/protocolViolation`` or ``WAMPSessionError/Code/connectionLost``.
    public static func withSession<Value>(
        joining transport: some WAMPTransport, realm: String, configuration: Configuration = .init(),
        logger: Logger = Logger(label: WAMPSession.loggerLabel), isolation: isolated (any Actor)? = #isolation,
        _ body: (WAMPSession) async throws -> Value
    ) async throws -> Value {
        let session = WAMPSession(realm: realm, configuration: configuration, logger: logger, connector: nil)
        return try await scope(session, first: transport, logger: logger, body)
    }

    /// Opens a transport with `connector`, joins `realm`, runs `body` with the session, then
    /// leaves (also when `body` throws). With ``Configuration/reconnect`` set, the connector is
    /// called again whenever the transport drops; the session joins again and restores its
    /// subscriptions and registrations. Everything runs in child tasks of this call.
    ///
    /// ```swift
    /// var configuration = WAMPSession.Configuration()
    /// configuration.reconnect = WAMPReconnectPolicy()
    /// try await WAMPSession.withSession(realm: "realm1", configuration: configuration) {
    ///     try await RawSocketClient.connect(to: endpoint, serializer: WAMPJSONSerializer())
    /// } _: { session in
    ///     for try await event in try await session.subscribe("com.example.tick") { print(event.args) }
    /// }
    /// ```
    ///
    /// The connector returns any transport, so it may pick one at run time (RawSocket or
    /// WebSocket by URL scheme, say).
    ///
    /// - Throws: what `body` throws; before `body` runs, the connector's error or the errors of
    ///   ``withSession(joining:realm:configuration:logger:isolation:_:)``. The first join is
    ///   not retried.
    public static func withSession<Value>(
        realm: String, configuration: Configuration = .init(), logger: Logger = Logger(label: WAMPSession.loggerLabel),
        connector: @escaping @Sendable () async throws -> any WAMPTransport, isolation: isolated (any Actor)? = #isolation,
        _ body: (WAMPSession) async throws -> Value
    ) async throws -> Value {
        let session = WAMPSession(realm: realm, configuration: configuration, logger: logger, connector: connector)
        return try await scope(session, first: nil, logger: logger, body)
    }

    /// Runs the background work in a task group, waits for the first join, runs `body`, leaves
    /// and ends the background work.
    private static func scope<Value>(
        _ session: WAMPSession, first: (any WAMPTransport)?, logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (WAMPSession) async throws -> Value
    ) async throws -> Value {
        try await withThrowingDiscardingTaskGroup(returning: Value.self) { group in
            group.addTask { await session.runBackground(first: first) }
            try await session.waitForFirstJoin()
            let value: Value
            do {
                value = try await body(session)
            } catch {
                await session.leave(logger: logger)
                group.cancelAll()
                throw error
            }
            await session.leave(logger: logger)
            group.cancelAll()
            return value
        }
    }

    func waitForFirstJoin() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let known = state.withLock { state -> Result<Void, any Error>? in
                if let result = state.joinResult { return result }
                state.joinWaiter = continuation
                return nil
            }
            if let known { continuation.resume(with: known) }
        }
    }

    // MARK: - Leaving

    /// Leaves the realm: GOODBYE, then waits for the router's GOODBYE (at most
    /// ``Configuration/leaveTimeout``) and closes the transport. Pending requests fail with
    /// ``WAMPSessionError/Code/sessionClosed``; subscriptions finish. Leaving a session that is
    /// not joined (reconnecting, closed) just closes it; a cancelled task does not wait for the
    /// router's GOODBYE.
    ///
    /// The scope of ``withSession(joining:realm:configuration:logger:isolation:_:)`` leaves
    /// when its body returns; call this to leave earlier (from a signal handler, say).
    public func leave(reason: String = WAMPURI.closeNormal, logger: Logger? = nil) async {
        let logger = logger ?? self.logger
        let waitForGoodbye = !Task.isCancelled
        let (wait, actions, target) = state.withLock { state in
            let (wait, actions) = state.machine.leave(reason: reason, waitForGoodbye: waitForGoodbye)
            return (wait, Self.applyTimers(actions, to: &state), state.current)
        }
        if !actions.isEmpty { logger.debug("leaving realm", metadata: ["wamp.realm": "\(realm)", "wamp.reason": "\(reason)"]) }
        await perform(actions, on: target)
        guard wait else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { state in
                if state.machine.phase == .closed { return true }
                state.leaveWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }
}
