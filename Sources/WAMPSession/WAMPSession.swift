public import Transport

/// A WAMP client session: joins a realm over any ``WAMPTransport`` and offers the four client
/// roles (caller, callee, publisher, subscriber) with async/await.
///
/// One task reads the transport and dispatches each message: results to the waiting calls,
/// events to the subscriptions, invocations to the registered handlers. The session uses the
/// `WAMPTransport` protocol only, so it runs unchanged on RawSocket, WebSocket or an in-memory
/// transport.
///
/// ```swift
/// let transport = try await RawSocketClient.connect(to: try RawSocketEndpoint(url: "rs://127.0.0.1:8080"),
///                                                   serializer: WAMPJSONSerializer())
/// let session = try await WAMPSession.join(transport, realm: "realm1")
/// let sum: Int = try await session.call("com.example.add", 2, 3)
/// try await session.leave()
/// ```
///
/// A session made with ``connect(realm:configuration:connector:)`` and a
/// ``Configuration/reconnect`` policy reconnects after its transport drops, joins again and
/// restores its subscriptions and registrations; ``lifecycle`` reports each step.
///
/// Call ``leave(reason:)`` when done: the reading task keeps the session and its transport
/// alive until the session leaves or the transport closes.
public actor WAMPSession {
    /// A procedure handler: the invocation in, the result out; a thrown ``WAMPError`` becomes
    /// that ERROR, any other error `wamp.error.runtime_error`.
    public typealias Handler = @Sendable (WAMPInvocation) async throws -> WAMPResult

    /// The realm joined.
    public nonisolated let realm: String
    /// The session's settings.
    public nonisolated let configuration: Configuration
    /// The session's life cycle: joined, disconnected, reconnecting, restored, closed. It
    /// finishes when the session closes for good. Iterate it from one task; it keeps the
    /// newest 64 events for a reader that falls behind.
    public nonisolated let lifecycle: AsyncStream<WAMPSessionEvent>

    /// The session ID of the current join, `nil` while not joined.
    public private(set) var sessionID: WAMPID?
    /// The WELCOME details of the current join (router roles, authid, authrole, ...).
    public private(set) var welcomeDetails: [String: WAMPValue] = [:]

    let lifecycleContinuation: AsyncStream<WAMPSessionEvent>.Continuation
    let connector: (@Sendable () async throws -> any WAMPTransport)?

    enum State {
        case idle
        case joining
        case established
        case leaving
        case reconnecting
        case closed
    }

    var state = State.idle
    var transport: (any WAMPTransport)?
    /// Incremented for each transport; callbacks from an older transport are ignored.
    var generation = 0
    var ids = WAMPRequestIDGenerator()
    var userClosed = false

    var joinWaiter: CheckedContinuation<Void, any Error>?
    var joinResult: Result<Void, any Error>?
    var leaveWaiter: CheckedContinuation<Void, Never>?
    var leaveDone = false

    var pending = PendingRequestTable<PendingRequest>()
    /// The outcomes of calls given up while their requester still sent them, by request ID.
    var undelivered: [WAMPID: Result<WAMPMessage, any Error>] = [:]
    /// Why the pending requests were last failed.
    var endError: (any Error)?

    /// The next local subscription or registration token.
    var nextToken = 0
    /// Local subscriptions by token; they outlive a reconnection.
    var subscriptions: [Int: LocalSubscription] = [:]
    /// The router's subscription IDs of the current join, each with its local subscriptions
    /// (several local ones may share one router subscription).
    var subscribers: [WAMPID: Set<Int>] = [:]
    /// Local registrations by token; they outlive a reconnection.
    var registrations: [Int: LocalRegistration] = [:]
    /// The router's registration IDs of the current join, each with its local registration.
    var registrationTokens: [WAMPID: Int] = [:]
    /// The handler tasks running, by INVOCATION request ID.
    var invocations: [WAMPID: Task<Void, Never>] = [:]
    /// Invocations the dealer interrupted, answered with `wamp.error.canceled`.
    var interrupted: Set<WAMPID> = []

    private init(realm: String, configuration: Configuration, connector: (@Sendable () async throws -> any WAMPTransport)?) {
        self.realm = realm
        self.configuration = configuration
        self.connector = connector
        (lifecycle, lifecycleContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
    }

    // MARK: - Joining and leaving

    /// Joins `realm` over an open transport: HELLO, then WELCOME (authenticating when the router
    /// sends CHALLENGE).
    ///
    /// - Throws: ``WAMPSessionError`` with ``WAMPSessionError/Code/aborted`` (the router's ABORT,
    ///   with its reason and details), ``WAMPSessionError/Code/joinTimedOut``,
    ///   ``WAMPSessionError/Code/authenticationFailed``, ``WAMPSessionError/Code/protocolViolation``
    ///   or ``WAMPSessionError/Code/connectionLost``. The transport is closed on failure.
    public static func join<T: WAMPTransport>(
        _ transport: T, realm: String, configuration: Configuration = .init()
    ) async throws -> WAMPSession {
        let session = WAMPSession(realm: realm, configuration: configuration, connector: nil)
        try await session.firstJoin(transport)
        return session
    }

    /// Opens a transport with `connector` and joins `realm`; with ``Configuration/reconnect``
    /// set, the connector is called again whenever the transport drops.
    ///
    /// ```swift
    /// var configuration = WAMPSession.Configuration()
    /// configuration.reconnect = WAMPReconnectPolicy()
    /// let session = try await WAMPSession.connect(realm: "realm1", configuration: configuration) {
    ///     try await RawSocketClient.connect(to: endpoint, serializer: WAMPJSONSerializer())
    /// }
    /// ```
    ///
    /// The connector returns any transport, so it may pick one at run time (RawSocket or
    /// WebSocket by URL scheme, say).
    ///
    /// - Throws: the connector's error, or the errors of ``join(_:realm:configuration:)``. The
    ///   first join is not retried.
    public static func connect(
        realm: String, configuration: Configuration = .init(),
        connector: @escaping @Sendable () async throws -> any WAMPTransport
    ) async throws -> WAMPSession {
        let session = WAMPSession(realm: realm, configuration: configuration, connector: connector)
        let transport = try await connector()
        try await session.firstJoin(transport)
        return session
    }

    func firstJoin(_ transport: any WAMPTransport) async throws {
        do {
            try await handshake(transport)
        } catch {
            state = .closed
            lifecycleContinuation.yield(.closed(reason: "\(error)"))
            lifecycleContinuation.finish()
            throw error
        }
    }

    /// Leaves the realm: GOODBYE, then waits for the router's GOODBYE (at most
    /// ``Configuration/leaveTimeout``) and closes the transport. Pending requests fail with
    /// ``WAMPSessionError/Code/sessionClosed``; subscriptions finish. Leaving a session that is
    /// not joined (reconnecting, closed) just closes it.
    public func leave(reason: String = WAMPURI.closeNormal) async {
        userClosed = true
        guard case .established = state, let transport else {
            await finish(error: nil, reason: "left")
            return
        }
        state = .leaving
        leaveDone = false
        failAllPending(WAMPSessionError(.sessionClosed, "the session left the realm with \(reason)"))
        try? await transport.send(.goodbye(.init(reason: reason)))
        let timeout = configuration.leaveTimeout
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            await self?.leaveCompleted()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if leaveDone { continuation.resume() } else { leaveWaiter = continuation }
        }
        timer.cancel()
        await finish(error: nil, reason: "left with \(reason)")
    }

    func leaveCompleted() {
        leaveDone = true
        leaveWaiter?.resume()
        leaveWaiter = nil
    }

    /// HELLO on a new transport and wait for the join to complete.
    func handshake(_ transport: any WAMPTransport) async throws {
        generation += 1
        let current = generation
        self.transport = transport
        ids = WAMPRequestIDGenerator()
        state = .joining
        joinResult = nil
        joinWaiter = nil
        startReader(transport, generation: current)
        let timeout = configuration.joinTimeout
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            await self?.failJoin(
                WAMPSessionError(.joinTimedOut, "no WELCOME or ABORT from the router within \(timeout) after HELLO to realm \"\(self?.realm ?? "")\""),
                generation: current)
        }
        defer { timer.cancel() }
        do {
            try await transport.send(.hello(.init(realm: realm, details: configuration.hello)))
        } catch {
            await failJoin(WAMPSessionError(.connectionLost, "HELLO could not be sent", cause: error), generation: current)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if let result = joinResult {
                joinResult = nil
                continuation.resume(with: result)
            } else {
                joinWaiter = continuation
            }
        }
        lifecycleContinuation.yield(.joined(session: sessionID ?? 0))
    }

    func completeJoin(_ result: Result<Void, any Error>) {
        if let waiter = joinWaiter {
            joinWaiter = nil
            waiter.resume(with: result)
        } else {
            joinResult = result
        }
    }

    /// Fails the join in progress on transport `generation`, closing the transport.
    func failJoin(_ error: WAMPSessionError, generation: Int) async {
        guard generation == self.generation, case .joining = state else { return }
        state = .idle
        let transport = self.transport
        self.transport = nil
        self.generation += 1
        completeJoin(.failure(error))
        try? await transport?.close()
    }

    // MARK: - Reading

    func startReader<T: WAMPTransport>(_ transport: T, generation: Int) {
        Task { await self.read(transport, generation: generation) }
    }

    func read<T: WAMPTransport>(_ transport: T, generation: Int) async {
        do {
            for try await message in transport.inbound {
                guard generation == self.generation else { return }
                await receive(message, generation: generation)
            }
            await transportEnded(nil, generation: generation)
        } catch {
            await transportEnded(error, generation: generation)
        }
    }

    func transportEnded(_ error: (any Error)?, generation: Int) async {
        guard generation == self.generation else { return }
        let how = error.map { "the transport failed: \($0)" } ?? "the transport closed"
        switch state {
        case .joining:
            await failJoin(WAMPSessionError(.connectionLost, "\(how) while joining realm \"\(realm)\"", cause: error), generation: generation)
        case .established:
            lifecycleContinuation.yield(.disconnected(reason: how))
            await lose(WAMPSessionError(.connectionLost, how, cause: error))
        case .leaving:
            leaveCompleted()
        case .idle, .reconnecting, .closed:
            break
        }
    }

    /// Handles one inbound message of the current transport.
    func receive(_ message: WAMPMessage, generation: Int) async {
        switch state {
        case .joining:
            await receiveWhileJoining(message, generation: generation)
        case .established:
            await receiveWhileEstablished(message)
        case .leaving:
            switch message {
            case .goodbye: leaveCompleted()
            case .abort: leaveCompleted()
            default: break  // a leaving peer ignores everything but GOODBYE
            }
        case .idle, .reconnecting, .closed:
            break
        }
    }

    func receiveWhileJoining(_ message: WAMPMessage, generation: Int) async {
        switch message {
        case .welcome(let welcome):
            sessionID = welcome.session
            welcomeDetails = welcome.details
            state = .established
            completeJoin(.success(()))
        case .abort(let abort):
            let text = abort.details["message"]?.stringValue.map { ": \($0)" } ?? ""
            await failJoin(
                WAMPSessionError(.aborted, "the router refused to join realm \"\(realm)\" with \(abort.reason)\(text)",
                                 reason: abort.reason, details: abort.details),
                generation: generation)
        case .challenge(let challenge):
            do {
                let answer = try configuration.authentication.authenticate(challenge)
                try await transport?.send(.authenticate(answer))
            } catch let error as WAMPSessionError {
                try? await transport?.send(.abort(.init(details: ["message": .string(error.message)], reason: "wamp.error.cannot_authenticate")))
                await failJoin(error, generation: generation)
            } catch {
                await failJoin(WAMPSessionError(.connectionLost, "AUTHENTICATE could not be sent", cause: error), generation: generation)
            }
        default:
            await protocolViolation("\(message.type.name) while joining; expected WELCOME, ABORT or CHALLENGE")
        }
    }

    func receiveWhileEstablished(_ message: WAMPMessage) async {
        switch message {
        case .event(let event):
            deliver(event)
        case .invocation(let invocation):
            await invoke(invocation)
        case .interrupt(let interrupt):
            if let task = invocations[interrupt.request] {
                interrupted.insert(interrupt.request)
                task.cancel()
            }
        case .result(let result):
            let progress = result.details["progress"]?.boolValue == true
            await reply(result.request, .success(message), for: .call, final: !progress)
        case .error(let error):
            await reply(error.request, .failure(WAMPError(error)), for: error.requestType, final: true)
        case .subscribed(let subscribed):
            await reply(subscribed.request, .success(message), for: .subscribe)
        case .unsubscribed(let unsubscribed):
            if unsubscribed.request == 0 {
                revokeSubscription(unsubscribed.details ?? [:])
            } else {
                await reply(unsubscribed.request, .success(message), for: .unsubscribe)
            }
        case .published(let published):
            await reply(published.request, .success(message), for: .publish)
        case .registered(let registered):
            await reply(registered.request, .success(message), for: .register)
        case .unregistered(let unregistered):
            if unregistered.request == 0 {
                if let id = unregistered.details?["registration"]?.uint64Value, let token = registrationTokens.removeValue(forKey: id) {
                    registrations[token] = nil
                }
            } else {
                await reply(unregistered.request, .success(message), for: .unregister)
            }
        case .goodbye(let goodbye):
            try? await transport?.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            userClosed = true
            await finish(
                error: WAMPSessionError(.sessionClosed, "the router ended the session with \(goodbye.reason)", reason: goodbye.reason, details: goodbye.details),
                reason: "the router said GOODBYE with \(goodbye.reason)")
        case .abort(let abort):
            await lose(WAMPSessionError(.aborted, "the router aborted the session with \(abort.reason)", reason: abort.reason, details: abort.details))
        default:
            await protocolViolation("a client does not expect \(message.type.name) in an open session")
        }
    }

    /// Answers a violation with ABORT `wamp.error.protocol_violation` and drops the transport.
    func protocolViolation(_ text: String) async {
        let error = WAMPSessionError(.protocolViolation, text, reason: WAMPURI.protocolViolation, details: ["message": .string(text)])
        try? await transport?.send(.abort(.init(details: ["message": .string(text)], reason: WAMPURI.protocolViolation)))
        switch state {
        case .joining:
            await failJoin(error, generation: generation)
        case .established:
            lifecycleContinuation.yield(.disconnected(reason: "protocol violation: \(text)"))
            await lose(error)
        default:
            break
        }
    }

    // MARK: - Ending

    /// The session is gone without the user's GOODBYE: reconnect when configured, else finish.
    func lose(_ error: WAMPSessionError) async {
        failAllPending(error)
        cancelInvocations()
        let transport = self.transport
        self.transport = nil
        generation += 1
        sessionID = nil
        try? await transport?.close()
        guard !userClosed, configuration.reconnect != nil, connector != nil else {
            await finish(error: error, reason: error.message)
            return
        }
        state = .reconnecting
        for token in subscriptions.keys { subscriptions[token]?.routerID = nil }
        subscribers = [:]
        for token in registrations.keys { registrations[token]?.routerID = nil }
        registrationTokens = [:]
        Task { await self.reconnectLoop() }
    }

    /// Closes for good: pending requests fail, subscriptions finish (throwing `error` when given).
    func finish(error: WAMPSessionError?, reason: String) async {
        if case .closed = state { return }
        if case .joining = state {
            completeJoin(.failure(error ?? WAMPSessionError(.sessionClosed, "the session was closed while joining")))
        }
        state = .closed
        sessionID = nil
        failAllPending(error ?? WAMPSessionError(.sessionClosed, "the session is closed"))
        cancelInvocations()
        let local = subscriptions
        subscriptions = [:]
        subscribers = [:]
        for subscription in local.values {
            if let error { subscription.continuation.finish(throwing: error) } else { subscription.continuation.finish() }
        }
        registrations = [:]
        registrationTokens = [:]
        let transport = self.transport
        self.transport = nil
        generation += 1
        try? await transport?.close()
        lifecycleContinuation.yield(.closed(reason: reason))
        lifecycleContinuation.finish()
    }

    func cancelInvocations() {
        for task in invocations.values { task.cancel() }
        invocations = [:]
        interrupted = []
    }

    // MARK: - Reconnecting

    func reconnectLoop() async {
        guard let policy = configuration.reconnect, let connector else { return }
        var attempt = 0
        while case .reconnecting = state, !userClosed {
            attempt += 1
            if let limit = policy.maxAttempts, attempt > limit {
                await finish(
                    error: WAMPSessionError(.connectionLost, "gave up reconnecting after \(limit) attempts"),
                    reason: "gave up reconnecting after \(limit) attempts")
                return
            }
            let delay = policy.delay(beforeAttempt: attempt)
            lifecycleContinuation.yield(.reconnecting(attempt: attempt, delay: delay))
            try? await Task.sleep(for: delay)
            guard case .reconnecting = state, !userClosed else { return }
            do {
                let transport = try await connector()
                guard case .reconnecting = state, !userClosed else {
                    try? await transport.close()
                    return
                }
                try await handshake(transport)
                attempt = 0
                await restore()
                return
            } catch {
                lifecycleContinuation.yield(.reconnectFailed(attempt: attempt, reason: "\(error)"))
                if case .idle = state { state = .reconnecting }
            }
        }
    }

    /// Subscribes and registers again what was subscribed and registered before the drop.
    func restore() async {
        var restoredSubscriptions = 0
        var restoredRegistrations = 0
        for token in subscriptions.keys.sorted() {
            guard case .established = state, let subscription = subscriptions[token] else { continue }
            do {
                let id = ids.next()
                _ = try await request(
                    id, .subscribe(.init(request: id, options: subscription.options, topic: subscription.topic)),
                    type: .subscribe, token: token)
                restoredSubscriptions += 1
            } catch let error as WAMPError {
                // The router refuses it now: that subscription ends.
                subscriptions.removeValue(forKey: token)?.continuation.finish(throwing: error)
            } catch {
                return  // the connection dropped again: the next re-join restores everything
            }
        }
        for token in registrations.keys.sorted() {
            guard case .established = state, let registration = registrations[token] else { continue }
            do {
                let id = ids.next()
                _ = try await request(
                    id, .register(.init(request: id, options: registration.options, procedure: registration.procedure)),
                    type: .register, token: token)
                restoredRegistrations += 1
            } catch is WAMPError {
                registrations[token] = nil
            } catch {
                return
            }
        }
        lifecycleContinuation.yield(.restored(subscriptions: restoredSubscriptions, registrations: restoredRegistrations))
    }
}
