import OrderedCollections
import Transport

/// The protocol logic of a WAMP client session as a value: joining, leaving, reconnecting, the
/// requests awaiting replies, the subscriptions, the registrations and the running invocations.
///
/// It does no I/O, reads no clock and starts no task. Each method takes one event (a message
/// received, a request to send, a timer fired, the transport closed, a leave asked for ...) and
/// returns the ``Action``s that follow, in order: send this, resume that requester with this,
/// close the transport, start a timer, emit a life-cycle event ... ``WAMPSession`` keeps it
/// behind a lock, feeds it the events and performs the actions; tests drive it without a
/// transport.
///
/// ```swift
/// var machine = WAMPSessionStateMachine(realm: "realm1", configuration: .init(), canReconnect: false)
/// let hello = machine.transportOpened()                           // [send HELLO, start the join timer]
/// let joined = machine.received(.welcome(.init(session: 7)), generation: machine.generation)
/// ```
struct WAMPSessionStateMachine {
    /// Where the session is in its life.
    enum Phase: Equatable, Sendable, CustomStringConvertible {
        /// No transport yet.
        case idle
        /// HELLO sent on the current transport; WELCOME awaited.
        case joining
        /// Joined to the realm.
        case established
        /// GOODBYE sent; the router's GOODBYE awaited.
        case leaving
        /// The transport was lost after a join; a reconnection follows.
        case disconnected
        /// Ended for good.
        case closed

        var description: String {
            switch self {
            case .idle: "not connected yet"
            case .joining: "joining"
            case .established: "joined"
            case .leaving: "leaving"
            case .disconnected: "reconnecting"
            case .closed: "closed"
            }
        }
    }

    /// What the connection loop does next.
    enum NextConnection: Equatable, Sendable {
        /// Open a transport after this delay (zero for the first connection).
        case connect(after: Duration)
        /// Open none: the session is joined, leaving or closed.
        case stop
    }

    let realm: String
    let configuration: WAMPSession.Configuration
    /// Whether a lost transport is replaced: a reconnect policy and a connector.
    let canReconnect: Bool
    /// The jitter source of reconnection delays, in `0 ... 1`.
    private let random: () -> Double

    private(set) var phase = Phase.idle
    /// The session ID of the current join, `nil` while not joined.
    private(set) var sessionID: WAMPID?
    /// The WELCOME details of the current join.
    private(set) var welcomeDetails: [String: WAMPValue] = [:]
    /// Incremented for each transport and when one is given up; events of an older transport
    /// are ignored.
    private(set) var generation = 0
    /// Whether a join succeeded once; a join failing afterwards is a failed reconnection.
    private var hasJoined = false
    /// Reconnection attempts since the last join.
    private var attempt = 0
    /// The reason of the leave in progress.
    private var leaveReason = WAMPURI.closeNormal

    var ids = WAMPRequestIDGenerator()
    /// The last ticket given to a request or an invocation: unique for the session's life,
    /// unlike request IDs, which start again at 1 on each transport.
    var lastTicket: UInt64 = 0
    var pending: PendingRequestTable<Request>
    /// The outcomes of requests answered (or given up) while their requester still sent them.
    var outcomes: [UInt64: Result<WAMPMessage, any Error>] = [:]
    /// The restoration in progress after a re-join.
    var restoring = Restore()

    /// The next local subscription or registration token.
    var nextToken = 0
    /// Local subscriptions by token; they outlive a reconnection.
    var subscriptions: [Int: Subscription] = [:]
    /// The router's subscription IDs of the current join with their local subscriptions (several
    /// local ones may share one router subscription), in token order: the order every EVENT is
    /// delivered in, kept as tokens are added so that no event sorts them.
    var subscribers: [WAMPID: OrderedSet<Int>] = [:]
    /// Local registrations by token; they outlive a reconnection.
    var registrations: [Int: Registration] = [:]
    /// The router's registration IDs of the current join with their local registration.
    var registrationTokens: [WAMPID: Int] = [:]
    /// The running invocations: ticket by INVOCATION request ID.
    var invocations: [WAMPID: UInt64] = [:]
    /// Invocations the dealer interrupted, answered with `wamp.error.canceled`.
    var interrupted: Set<WAMPID> = []

    /// A machine before its first transport.
    ///
    /// - Parameters:
    ///   - canReconnect: whether the session can open a new transport after a drop (it has a
    ///     connector); reconnection also needs ``WAMPSession/Configuration/reconnect``.
    ///   - abandonedCallLimit: how many given-up calls are remembered so that their late replies
    ///     are ignored.
    ///   - random: the jitter source of reconnection delays.
    init(
        realm: String, configuration: WAMPSession.Configuration, canReconnect: Bool, abandonedCallLimit: Int = 4096,
        random: @escaping () -> Double = { Double.random(in: 0 ... 1) }
    ) {
        self.realm = realm
        self.configuration = configuration
        self.canReconnect = canReconnect && configuration.reconnect != nil
        self.random = random
        pending = PendingRequestTable(abandonedLimit: abandonedCallLimit)
    }

    // MARK: - Connecting and joining

    /// The connection loop asks whether to open a transport: the first one at once; after a
    /// drop, the next attempt after its backoff delay (or giving up after
    /// ``WAMPReconnectPolicy/maxAttempts``); otherwise none.
    mutating func nextConnection() -> (NextConnection, [Action]) {
        switch phase {
        case .idle:
            return (.connect(after: .zero), [])
        case .disconnected:
            guard let policy = configuration.reconnect else { return (.stop, []) }
            attempt += 1
            if let limit = policy.maxAttempts, attempt > limit {
                let text = "gave up reconnecting after \(limit) attempts"
                return (.stop, finish(error: WAMPSessionError(.connectionLost, text), reason: text))
            }
            let delay = policy.delay(beforeAttempt: attempt, random: random())
            return (.connect(after: delay), [.emit(.reconnecting(attempt: attempt, delay: delay))])
        case .joining, .established, .leaving, .closed:
            return (.stop, [])
        }
    }

    /// The connector could not open a transport: the first join fails with its error; a
    /// reconnection attempt failed.
    mutating func connectFailed(_ error: any Error) -> [Action] {
        switch phase {
        case .idle: return finish(error: error, reason: "could not connect: \(error)")
        case .disconnected: return [.emit(.reconnectFailed(attempt: attempt, reason: "\(error)"))]
        case .joining, .established, .leaving, .closed: return []
        }
    }

    /// A transport is open: HELLO on it, under the join timeout. `nil` when the session wants
    /// no transport any more (it left meanwhile): close it.
    mutating func transportOpened() -> [Action]? {
        guard phase == .idle || phase == .disconnected else { return nil }
        generation += 1
        phase = .joining
        ids = WAMPRequestIDGenerator()
        return [
            .send(.hello(.init(realm: realm, details: configuration.hello))),
            .startTimer(.join(generation: generation), configuration.joinTimeout),
        ]
    }

    /// A message arrived on the transport of `generation`.
    mutating func received(_ message: WAMPMessage, generation: Int) -> [Action] {
        guard generation == self.generation else { return [] }
        switch phase {
        case .joining:
            return receivedWhileJoining(message)
        case .established:
            return receivedWhileEstablished(message)
        case .leaving:
            switch message {
            case .goodbye, .abort: return finish(error: nil, reason: "left with \(leaveReason)")
            default: return []  // a leaving peer ignores everything but GOODBYE
            }
        case .idle, .disconnected, .closed:
            return []
        }
    }

    private mutating func receivedWhileJoining(_ message: WAMPMessage) -> [Action] {
        switch message {
        case .welcome(let welcome):
            phase = .established
            sessionID = welcome.session
            welcomeDetails = welcome.details
            let rejoined = hasJoined
            hasJoined = true
            attempt = 0
            var actions: [Action] = [.cancelTimer(.join(generation: generation))]
            if !rejoined { actions.append(.completeJoin(.success(()))) }
            actions.append(.emit(.joined(session: welcome.session)))
            if rejoined { actions += restore() }
            return actions
        case .abort(let abort):
            let text = abort.details["message"]?.stringValue.map { ": \($0)" } ?? ""
            return failJoin(WAMPSessionError(
                .aborted, "the router refused to join realm \"\(realm)\" with \(abort.reason)\(text)",
                reason: abort.reason, details: abort.details))
        case .challenge(let challenge):
            do {
                return [.send(.authenticate(try configuration.authentication.authenticate(challenge)))]
            } catch {
                let failure = error as? WAMPSessionError ?? WAMPSessionError(.authenticationFailed, "\(error)", cause: error)
                let abort = WAMPMessage.abort(.init(details: ["message": .string(failure.message)], reason: "wamp.error.cannot_authenticate"))
                return [.send(abort)] + failJoin(failure)
            }
        default:
            return protocolViolation("\(message.type.name) while joining; expected WELCOME, ABORT or CHALLENGE")
        }
    }

    private mutating func receivedWhileEstablished(_ message: WAMPMessage) -> [Action] {
        switch message {
        case .event(let event):
            return deliver(event)
        case .invocation(let invocation):
            return invoke(invocation)
        case .interrupt(let interrupt):
            return self.interrupt(interrupt.request)
        case .result(let result):
            return reply(result.request, .success(message), to: .call, final: result.details["progress"]?.boolValue != true)
        case .error(let error):
            return reply(error.request, .failure(WAMPError(error)), to: error.requestType)
        case .subscribed(let subscribed):
            return reply(subscribed.request, .success(message), to: .subscribe)
        case .unsubscribed(let unsubscribed):
            guard unsubscribed.request != 0 else { return revokeSubscription(unsubscribed.details ?? [:]) }
            return reply(unsubscribed.request, .success(message), to: .unsubscribe)
        case .published(let published):
            return reply(published.request, .success(message), to: .publish)
        case .registered(let registered):
            return reply(registered.request, .success(message), to: .register)
        case .unregistered(let unregistered):
            guard unregistered.request != 0 else { return revokeRegistration(unregistered.details ?? [:]) }
            return reply(unregistered.request, .success(message), to: .unregister)
        case .goodbye(let goodbye):
            let error = WAMPSessionError(
                .sessionClosed, "the router ended the session with \(goodbye.reason)", reason: goodbye.reason, details: goodbye.details)
            return [.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))]
                + finish(error: error, reason: "the router said GOODBYE with \(goodbye.reason)")
        case .abort(let abort):
            let error = WAMPSessionError(
                .aborted, "the router aborted the session with \(abort.reason)", reason: abort.reason, details: abort.details)
            return lose(error)
        default:
            return protocolViolation("a client does not expect \(message.type.name) in an open session")
        }
    }

    /// The join in progress failed: the transport is closed; the first join ends the session,
    /// a re-join is a failed reconnection attempt.
    private mutating func failJoin(_ error: any Error) -> [Action] {
        guard hasJoined else { return finish(error: error, reason: "could not join realm \"\(realm)\": \(error)") }
        let actions: [Action] = [
            .cancelTimer(.join(generation: generation)), .closeTransport,
            .emit(.reconnectFailed(attempt: attempt, reason: "\(error)")),
        ]
        generation += 1
        phase = .disconnected
        return actions
    }

    // MARK: - Failures

    /// The transport of `generation` ended (with `error` when it failed).
    mutating func transportClosed(_ error: (any Error)?, generation: Int) -> [Action] {
        guard generation == self.generation else { return [] }
        let how = error.map { "the transport failed: \($0)" } ?? "the transport closed"
        switch phase {
        case .joining:
            return failJoin(WAMPSessionError(.connectionLost, "\(how) while joining realm \"\(realm)\"", cause: error))
        case .established:
            return lose(WAMPSessionError(.connectionLost, how, cause: error))
        case .leaving:
            return finish(error: nil, reason: "left with \(leaveReason)")
        case .idle, .disconnected, .closed:
            return []
        }
    }

    /// A message of this machine's could not be sent on the transport of `generation`. While
    /// joining (HELLO, AUTHENTICATE) the join fails; later the reader sees the transport end.
    mutating func sendFailed(_ error: any Error, generation: Int) -> [Action] {
        guard generation == self.generation, phase == .joining else { return [] }
        return failJoin(WAMPSessionError(.connectionLost, "HELLO or AUTHENTICATE could not be sent", cause: error))
    }

    /// Answers a violation with ABORT `wamp.error.protocol_violation` and drops the transport.
    mutating func protocolViolation(_ text: String) -> [Action] {
        let error = WAMPSessionError(.protocolViolation, text, reason: WAMPURI.protocolViolation, details: ["message": .string(text)])
        let abort = Action.send(.abort(.init(details: ["message": .string(text)], reason: WAMPURI.protocolViolation)))
        switch phase {
        case .joining: return [abort] + failJoin(error)
        case .established: return [abort] + lose(error)
        case .idle, .leaving, .disconnected, .closed: return []
        }
    }

    /// The joined session is gone without a GOODBYE: reconnect when possible, else finish.
    private mutating func lose(_ error: WAMPSessionError) -> [Action] {
        var actions: [Action] = [.emit(.disconnected(reason: error.message))]
        guard canReconnect else { return actions + finish(error: error, reason: error.message) }
        actions += failAllPending(error)
        actions += cancelInvocations()
        actions.append(.closeTransport)
        generation += 1
        sessionID = nil
        phase = .disconnected
        for token in subscriptions.keys { subscriptions[token]?.routerID = nil }
        subscribers = [:]
        for token in registrations.keys { registrations[token]?.routerID = nil }
        registrationTokens = [:]
        return actions
    }

    // MARK: - Leaving and ending

    /// The user leaves with `reason`. Joined: fails the pending requests, sends GOODBYE and
    /// (`waitForGoodbye`) waits for the router's, at most ``WAMPSession/Configuration/leaveTimeout``;
    /// otherwise the session closes at once. `wait` tells the caller to wait for
    /// ``Action/completeLeave``.
    mutating func leave(reason: String, waitForGoodbye: Bool = true) -> (wait: Bool, actions: [Action]) {
        switch phase {
        case .established:
            leaveReason = reason
            let goodbye = Action.send(.goodbye(.init(reason: reason)))
            guard waitForGoodbye else { return (false, [goodbye] + finish(error: nil, reason: "left with \(reason)")) }
            phase = .leaving
            var actions = failAllPending(WAMPSessionError(.sessionClosed, "the session left the realm with \(reason)"))
            actions += [goodbye, .startTimer(.leave, configuration.leaveTimeout)]
            return (true, actions)
        case .leaving:
            guard waitForGoodbye else { return (false, finish(error: nil, reason: "left with \(leaveReason)")) }
            return (true, [])
        case .idle, .joining, .disconnected:
            return (false, finish(error: nil, reason: "left"))
        case .closed:
            return (false, [])
        }
    }

    /// The session's scope ended (or its background work stopped): closes the session if it
    /// is not closed yet.
    mutating func shutdown() -> [Action] {
        let text = "the session's scope ended"
        return finish(error: WAMPSessionError(.sessionClosed, text), reason: text)
    }

    /// Closes for good: the first join (if still waited for) fails, pending requests fail,
    /// invocations are cancelled, subscriptions finish (throwing `error` when given), the
    /// transport closes, the life cycle ends and leaving callers resume.
    mutating func finish(error: (any Error)?, reason: String) -> [Action] {
        guard phase != .closed else { return [] }
        var actions: [Action] = [.cancelTimer(.join(generation: generation)), .cancelTimer(.leave)]
        if !hasJoined {
            actions.append(.completeJoin(.failure(
                error ?? WAMPSessionError(.sessionClosed, "the session was closed before it joined realm \"\(realm)\""))))
        }
        phase = .closed
        sessionID = nil
        generation += 1
        actions += failAllPending(error ?? WAMPSessionError(.sessionClosed, "the session is closed"))
        actions += cancelInvocations()
        for token in subscriptions.keys.sorted() { actions.append(.finishSubscription(token: token, error)) }
        subscriptions = [:]
        subscribers = [:]
        registrations = [:]
        registrationTokens = [:]
        actions += [.closeTransport, .emit(.closed(reason: reason)), .finishLifecycle, .completeLeave]
        return actions
    }

    // MARK: - Timers

    /// A timer started by ``Action/startTimer(_:_:)`` fired.
    mutating func timerFired(_ key: TimerKey) -> [Action] {
        switch key {
        case .join(let generation):
            guard generation == self.generation, phase == .joining else { return [] }
            return failJoin(WAMPSessionError(
                .joinTimedOut,
                "no WELCOME or ABORT from the router within \(configuration.joinTimeout) after HELLO to realm \"\(realm)\""))
        case .leave:
            guard phase == .leaving else { return [] }
            return finish(
                error: nil, reason: "left with \(leaveReason) (no GOODBYE from the router within \(configuration.leaveTimeout))")
        case .request(let handle):
            guard let request = pending[handle.id], request.handle == handle, let timeout = request.timeout else { return [] }
            let what = request.kind == .progressiveCall ? "no final result" : "no result"
            return abandon(handle, WAMPSessionError(.callTimedOut, "call \(handle.id) got \(what) within \(timeout); it was canceled"))
        }
    }
}
