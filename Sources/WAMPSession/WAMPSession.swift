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

    private let lifecycleContinuation: AsyncStream<WAMPSessionEvent>.Continuation
    private let connector: (@Sendable () async throws -> any WAMPTransport)?

    private enum State {
        case idle
        case joining
        case established
        case leaving
        case reconnecting
        case closed
    }

    private var state = State.idle
    private var transport: (any WAMPTransport)?
    /// Incremented for each transport; callbacks from an older transport are ignored.
    private var generation = 0
    private var ids = WAMPRequestIDGenerator()
    private var userClosed = false

    private var joinWaiter: CheckedContinuation<Void, any Error>?
    private var joinResult: Result<Void, any Error>?
    private var leaveWaiter: CheckedContinuation<Void, Never>?
    private var leaveDone = false

    private var pending = PendingRequestTable<PendingRequest>()
    /// Why the pending requests were last failed.
    private var endError: (any Error)?

    private var nextToken = 0
    private var subscriptions: [Int: LocalSubscription] = [:]
    private var subscribers: [WAMPID: Set<Int>] = [:]
    private var registrations: [Int: LocalRegistration] = [:]
    private var registrationTokens: [WAMPID: Int] = [:]
    private var invocations: [WAMPID: Task<Void, Never>] = [:]
    private var interrupted: Set<WAMPID> = []

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
    /// - Throws: the connector's error, or the errors of ``join(_:realm:configuration:)``. The
    ///   first join is not retried.
    public static func connect<T: WAMPTransport>(
        realm: String, configuration: Configuration = .init(),
        connector: @escaping @Sendable () async throws -> T
    ) async throws -> WAMPSession {
        let session = WAMPSession(realm: realm, configuration: configuration, connector: { try await connector() })
        let transport = try await connector()
        try await session.firstJoin(transport)
        return session
    }

    private func firstJoin(_ transport: any WAMPTransport) async throws {
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

    private func leaveCompleted() {
        leaveDone = true
        leaveWaiter?.resume()
        leaveWaiter = nil
    }

    /// HELLO on a new transport and wait for the join to complete.
    private func handshake(_ transport: any WAMPTransport) async throws {
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

    private func completeJoin(_ result: Result<Void, any Error>) {
        if let waiter = joinWaiter {
            joinWaiter = nil
            waiter.resume(with: result)
        } else {
            joinResult = result
        }
    }

    /// Fails the join in progress on transport `generation`, closing the transport.
    private func failJoin(_ error: WAMPSessionError, generation: Int) async {
        guard generation == self.generation, case .joining = state else { return }
        state = .idle
        let transport = self.transport
        self.transport = nil
        self.generation += 1
        completeJoin(.failure(error))
        try? await transport?.close()
    }

    // MARK: - Reading

    private func startReader<T: WAMPTransport>(_ transport: T, generation: Int) {
        Task { await self.read(transport, generation: generation) }
    }

    private func read<T: WAMPTransport>(_ transport: T, generation: Int) async {
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

    private func transportEnded(_ error: (any Error)?, generation: Int) async {
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
    private func receive(_ message: WAMPMessage, generation: Int) async {
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

    private func receiveWhileJoining(_ message: WAMPMessage, generation: Int) async {
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

    private func receiveWhileEstablished(_ message: WAMPMessage) async {
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
    private func protocolViolation(_ text: String) async {
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
    private func lose(_ error: WAMPSessionError) async {
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
    private func finish(error: WAMPSessionError?, reason: String) async {
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

    private func cancelInvocations() {
        for task in invocations.values { task.cancel() }
        invocations = [:]
        interrupted = []
    }

    // MARK: - Reconnecting

    private func reconnectLoop() async {
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
    private func restore() async {
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

    // MARK: - Requests

    private struct PendingRequest {
        enum Sink {
            /// A requester waits (or will wait: `nil` until it does).
            case waiting(CheckedContinuation<WAMPMessage, any Error>?)
            /// The reply came before the requester waited.
            case arrived(Result<WAMPMessage, any Error>)
            /// A progressive call's results.
            case stream(AsyncThrowingStream<WAMPResult, any Error>.Continuation)
        }

        var sink: Sink
        /// The subscription or registration bound when SUBSCRIBED or REGISTERED arrives.
        var token: Int?
        var cancelMode: WAMPCallOptions.CancelMode = .killNoWait
        var timer: Task<Void, Never>?
    }

    private func establishedTransport() throws -> any WAMPTransport {
        guard case .established = state, let transport else {
            throw WAMPSessionError(.notJoined, "the session is not joined to realm \"\(realm)\" (\(state))")
        }
        return transport
    }

    /// Sends a request and waits for its reply.
    private func request(
        _ id: WAMPID, _ message: WAMPMessage, type: WAMPMessageType, token: Int? = nil,
        options: WAMPCallOptions? = nil
    ) async throws -> WAMPMessage {
        let transport = try establishedTransport()
        pending.insert(
            PendingRequest(sink: .waiting(nil), token: token, cancelMode: options?.cancelMode ?? .killNoWait), id: id, type: type)
        if let timeout = options?.timeout {
            pending[id]?.timer = Task { [weak self] in
                do { try await Task.sleep(for: timeout) } catch { return }
                await self?.abandonCall(id, WAMPSessionError(.callTimedOut, "call \(id) got no result within \(timeout); it was canceled"))
            }
        }
        do {
            try await transport.send(message)
        } catch {
            pending.remove(id)?.timer?.cancel()
            throw error
        }
        let wait = {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WAMPMessage, any Error>) in
                guard let request = self.pending[id] else {
                    continuation.resume(throwing: self.endError ?? WAMPSessionError(.sessionClosed, "request \(id) was dropped"))
                    return
                }
                if case .arrived(let result) = request.sink {
                    self.pending[id] = nil
                    request.timer?.cancel()
                    continuation.resume(with: result)
                } else {
                    self.pending[id]?.sink = .waiting(continuation)
                }
            }
        }
        guard type == .call else { return try await wait() }
        return try await withTaskCancellationHandler {
            try await wait()
        } onCancel: {
            Task { await self.abandonCall(id, CancellationError()) }
        }
    }

    /// Delivers a reply (or an ERROR) to the pending request `id` of type `type`.
    private func reply(_ id: WAMPID, _ result: Result<WAMPMessage, any Error>, for type: WAMPMessageType, final: Bool = true) async {
        let what: String
        switch result {
        case .success(let message): what = message.type.name
        case .failure: what = "ERROR"
        }
        var request: PendingRequest
        switch pending.match(id, replyTo: type, final: final, what: what) {
        case .pending(let entry): request = entry
        case .late: return
        case .unexpected(let text):
            await protocolViolation(text)
            return
        }
        if case .success(let message) = result { bind(message, token: request.token) }
        switch request.sink {
        case .waiting(let continuation?):
            pending[id] = nil
            request.timer?.cancel()
            continuation.resume(with: result)
        case .waiting(nil):
            request.sink = .arrived(result)
            pending[id] = request
        case .arrived:
            await protocolViolation("a second reply for request \(id)")
        case .stream(let stream):
            switch result {
            case .success(.result(let message)):
                if case .dropped = stream.yield(WAMPResult(message.payload, details: message.details)) {
                    let limit = configuration.eventBufferLimit
                    await abandonCall(id, WAMPSessionError(
                        .eventBufferOverflow, "more than \(limit) progressive results of call \(id) were not read; it was canceled"))
                    return
                }
                if final {
                    pending[id] = nil
                    request.timer?.cancel()
                    stream.finish()
                }
            case .success(let other):
                pending[id] = nil
                stream.finish(throwing: WAMPSessionError(.protocolViolation, "unexpected \(other.type.name) for call \(id)"))
            case .failure(let error):
                pending[id] = nil
                request.timer?.cancel()
                stream.finish(throwing: error)
            }
        }
    }

    /// Binds a subscription or registration to its router ID the moment the reply arrives, so
    /// that an EVENT or INVOCATION right behind it is not missed.
    private func bind(_ message: WAMPMessage, token: Int?) {
        guard let token else { return }
        switch message {
        case .subscribed(let subscribed) where subscriptions[token] != nil:
            subscriptions[token]?.routerID = subscribed.subscription
            subscribers[subscribed.subscription, default: []].insert(token)
        case .registered(let registered) where registrations[token] != nil:
            registrations[token]?.routerID = registered.registration
            registrationTokens[registered.registration] = token
        default:
            break
        }
    }

    /// Gives a call up locally (task cancelled, timeout, progressive stream dropped): CANCEL
    /// is sent, the caller gets `error` at once, a late RESULT or ERROR is ignored.
    private func abandonCall(_ id: WAMPID, _ error: any Error) async {
        guard let request = pending.abandonCall(id) else { return }
        request.timer?.cancel()
        switch request.sink {
        case .waiting(let continuation?):
            continuation.resume(throwing: error)
        case .waiting(nil):
            pending.insert(PendingRequest(sink: .arrived(.failure(error))), id: id, type: .call)
        case .arrived(let result):
            pending.insert(PendingRequest(sink: .arrived(result)), id: id, type: .call)
            pending.forgetAbandoned(id)
            return
        case .stream(let stream):
            stream.finish(throwing: error)
        }
        if case .established = state {
            try? await transport?.send(.cancel(.init(request: id, options: ["mode": .string(request.cancelMode.rawValue)])))
        }
    }

    /// Fails every pending request with `error`. A requester still sending its request finds
    /// its entry gone and gets `error` from ``endError``.
    private func failAllPending(_ error: any Error) {
        endError = error
        for request in pending.removeAll() {
            request.timer?.cancel()
            switch request.sink {
            case .waiting(let continuation?): continuation.resume(throwing: error)
            case .waiting(nil), .arrived: break
            case .stream(let stream): stream.finish(throwing: error)
            }
        }
    }

    // MARK: - Caller

    /// Calls a procedure and returns its result.
    ///
    /// Cancelling the calling task sends CANCEL (with ``WAMPCallOptions/cancelMode``) and
    /// throws `CancellationError`.
    ///
    /// - Throws: ``WAMPError`` when the callee or the dealer answers with ERROR;
    ///   ``WAMPSessionError`` (``WAMPSessionError/Code/callTimedOut``, ``WAMPSessionError/Code/notJoined``,
    ///   ``WAMPSessionError/Code/connectionLost``, ...); the transport's send error.
    public func call(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init()
    ) async throws -> WAMPResult {
        _ = try establishedTransport()
        let id = ids.next()
        let message = WAMPMessage.call(.init(request: id, options: options.extra, procedure: procedure, payload: .arguments(args, kwargs)))
        let reply = try await request(id, message, type: .call, options: options)
        guard case .result(let result) = reply else {
            throw WAMPSessionError(.protocolViolation, "\(reply.type.name) in reply to CALL \(id)")
        }
        return WAMPResult(result.payload, details: result.details)
    }

    /// Calls a procedure with `Encodable` arguments and decodes its result.
    ///
    /// ```swift
    /// let sum: Int = try await session.call("com.example.add", 2, 3)
    /// ```
    ///
    /// - Throws: as ``call(_:args:kwargs:options:)``; ``WAMPSessionError/Code/invalidArgument``
    ///   when an argument does not encode or the result does not decode as `R`.
    public nonisolated func call<R: Decodable>(
        _ procedure: String, _ arguments: any Encodable..., returning: R.Type = R.self,
        options: WAMPCallOptions = .init()
    ) async throws -> R {
        let args = try arguments.map(Self.encodeArgument)
        return try await call(procedure, args: args, options: options).decode(R.self)
    }

    /// Calls a procedure asking for progressive results: the sequence yields each progressive
    /// result, then the final result, and finishes (or throws the call's error). Dropping the
    /// sequence or cancelling its reader before the end sends CANCEL.
    public func progressiveCall(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init()
    ) async throws -> AsyncThrowingStream<WAMPResult, any Error> {
        let transport = try establishedTransport()
        let id = ids.next()
        var callOptions = options.extra
        callOptions["receive_progress"] = true
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WAMPResult.self, bufferingPolicy: .bufferingOldest(max(1, configuration.eventBufferLimit)))
        pending.insert(PendingRequest(sink: .stream(continuation), cancelMode: options.cancelMode), id: id, type: .call)
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { Task { await self?.abandonCall(id, CancellationError()) } }
        }
        if let timeout = options.timeout {
            pending[id]?.timer = Task { [weak self] in
                do { try await Task.sleep(for: timeout) } catch { return }
                await self?.abandonCall(id, WAMPSessionError(.callTimedOut, "call \(id) got no final result within \(timeout); it was canceled"))
            }
        }
        do {
            try await transport.send(.call(.init(request: id, options: callOptions, procedure: procedure, payload: .arguments(args, kwargs))))
        } catch {
            pending.remove(id)?.timer?.cancel()
            continuation.finish(throwing: error)
            throw error
        }
        return stream
    }

    // MARK: - Publisher

    /// Publishes an event. With `acknowledge`, waits for PUBLISHED and returns the publication
    /// ID; without, returns `nil` once the message is sent.
    ///
    /// - Throws: ``WAMPError`` (acknowledged publications only: not authorized, invalid topic);
    ///   ``WAMPSessionError``; the transport's send error.
    @discardableResult
    public func publish(
        _ topic: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:], acknowledge: Bool = false,
        options: [String: WAMPValue] = [:]
    ) async throws -> WAMPID? {
        let transport = try establishedTransport()
        let id = ids.next()
        var publishOptions = options
        if acknowledge { publishOptions["acknowledge"] = true }
        let message = WAMPMessage.publish(.init(request: id, options: publishOptions, topic: topic, payload: .arguments(args, kwargs)))
        guard acknowledge else {
            try await transport.send(message)
            return nil
        }
        let reply = try await request(id, message, type: .publish)
        guard case .published(let published) = reply else { return nil }
        return published.publication
    }

    /// Publishes an `Encodable` value: a list becomes the positional arguments, a struct or
    /// dictionary the keyword arguments, anything else the one argument.
    @discardableResult
    public nonisolated func publish<T: Encodable>(
        _ topic: String, encoding value: T, acknowledge: Bool = false
    ) async throws -> WAMPID? {
        let result = try WAMPResult(encoding: value)
        return try await publish(topic, args: result.args, kwargs: result.kwargs, acknowledge: acknowledge)
    }

    // MARK: - Subscriber

    private struct LocalSubscription {
        let topic: String
        let options: [String: WAMPValue]
        let continuation: AsyncThrowingStream<WAMPEvent, any Error>.Continuation
        var routerID: WAMPID?
    }

    /// Subscribes to a topic; the events arrive on the returned sequence.
    ///
    /// - Throws: ``WAMPError`` when the broker refuses; ``WAMPSessionError``.
    public func subscribe(_ topic: String, options: [String: WAMPValue] = [:]) async throws -> WAMPSubscription {
        _ = try establishedTransport()
        let token = nextToken
        nextToken += 1
        let (events, continuation) = AsyncThrowingStream.makeStream(
            of: WAMPEvent.self, bufferingPolicy: .bufferingOldest(max(1, configuration.eventBufferLimit)))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { Task { try? await self?.unsubscribe(token: token) } }
        }
        subscriptions[token] = LocalSubscription(topic: topic, options: options, continuation: continuation)
        let id = ids.next()
        do {
            _ = try await request(id, .subscribe(.init(request: id, options: options, topic: topic)), type: .subscribe, token: token)
        } catch {
            subscriptions[token] = nil
            continuation.finish(throwing: error)
            throw error
        }
        return WAMPSubscription(topic: topic, events: events, token: token, session: self)
    }

    func unsubscribe(token: Int) async throws {
        guard let subscription = subscriptions.removeValue(forKey: token) else { return }
        subscription.continuation.finish()
        guard let routerID = subscription.routerID else { return }
        subscribers[routerID]?.remove(token)
        guard subscribers[routerID]?.isEmpty == true else { return }
        subscribers[routerID] = nil
        guard case .established = state else { return }
        let id = ids.next()
        _ = try await request(id, .unsubscribe(.init(request: id, subscription: routerID)), type: .unsubscribe)
    }

    private func deliver(_ message: WAMPMessage.Event) {
        guard let tokens = subscribers[message.subscription] else { return }  // e.g. just unsubscribed
        for token in tokens {
            guard let subscription = subscriptions[token] else { continue }
            let event = WAMPEvent(
                topic: subscription.topic, publication: message.publication, args: message.args, kwargs: message.kwargs,
                details: message.details)
            if case .dropped = subscription.continuation.yield(event) {
                let limit = configuration.eventBufferLimit
                subscription.continuation.finish(
                    throwing: WAMPSessionError(.eventBufferOverflow, "more than \(limit) events of \(subscription.topic) were not read"))
                Task { try? await self.unsubscribe(token: token) }
            }
        }
    }

    private func revokeSubscription(_ details: [String: WAMPValue]) {
        guard let id = details["subscription"]?.uint64Value, let tokens = subscribers.removeValue(forKey: id) else { return }
        let reason = details["reason"]?.stringValue ?? "revoked"
        for token in tokens {
            subscriptions.removeValue(forKey: token)?.continuation.finish(
                throwing: WAMPSessionError(.sessionClosed, "the router revoked the subscription: \(reason)", reason: reason, details: details))
        }
    }

    // MARK: - Callee

    private struct LocalRegistration {
        let procedure: String
        let options: [String: WAMPValue]
        let handler: Handler
        var routerID: WAMPID?
    }

    /// Registers a procedure. Each INVOCATION runs `handler` in its own task; its return value
    /// is sent as YIELD, a thrown ``WAMPError`` as that ERROR, any other thrown error as ERROR
    /// `wamp.error.runtime_error`. An INTERRUPT cancels the handler's task.
    ///
    /// - Throws: ``WAMPError`` when the dealer refuses (`wamp.error.procedure_already_exists`, ...);
    ///   ``WAMPSessionError``.
    @discardableResult
    public func register(
        _ procedure: String, options: [String: WAMPValue] = [:], handler: @escaping Handler
    ) async throws -> WAMPRegistration {
        _ = try establishedTransport()
        let token = nextToken
        nextToken += 1
        registrations[token] = LocalRegistration(procedure: procedure, options: options, handler: handler)
        let id = ids.next()
        do {
            _ = try await request(id, .register(.init(request: id, options: options, procedure: procedure)), type: .register, token: token)
        } catch {
            registrations[token] = nil
            throw error
        }
        return WAMPRegistration(procedure: procedure, token: token, session: self)
    }

    /// Registers a procedure whose handler returns an `Encodable` value, encoded as
    /// ``WAMPResult/init(encoding:encoder:)`` does.
    ///
    /// ```swift
    /// try await session.register("com.example.add") { invocation in
    ///     try invocation.decode([Int].self).reduce(0, +)
    /// }
    /// ```
    @discardableResult
    public nonisolated func register<R: Encodable & Sendable>(
        _ procedure: String, options: [String: WAMPValue] = [:],
        handler: @escaping @Sendable (WAMPInvocation) async throws -> R
    ) async throws -> WAMPRegistration {
        try await register(procedure, options: options) { invocation -> WAMPResult in
            try WAMPResult(encoding: try await handler(invocation))
        }
    }

    func unregister(token: Int) async throws {
        guard let registration = registrations.removeValue(forKey: token) else { return }
        guard let routerID = registration.routerID else { return }
        registrationTokens[routerID] = nil
        guard case .established = state else { return }
        let id = ids.next()
        _ = try await request(id, .unregister(.init(request: id, registration: routerID)), type: .unregister)
    }

    private func invoke(_ invocation: WAMPMessage.Invocation) async {
        guard let token = registrationTokens[invocation.registration], let registration = registrations[token] else {
            try? await transport?.send(.error(.init(
                requestType: .invocation, request: invocation.request, error: WAMPError.noSuchRegistrationURI,
                payload: .arguments([.string("no registration \(invocation.registration) in this session")], [:]))))
            return
        }
        let request = invocation.request
        let current = generation
        let call = WAMPInvocation(
            procedure: invocation.details["procedure"]?.stringValue ?? registration.procedure, request: request,
            args: invocation.args, kwargs: invocation.kwargs, details: invocation.details)
        let handler = registration.handler
        invocations[request] = Task {
            let result: Result<WAMPResult, any Error>
            do {
                result = .success(try await handler(call))
            } catch {
                result = .failure(error)
            }
            await self.completeInvocation(request, result, generation: current)
        }
    }

    private func completeInvocation(_ request: WAMPID, _ result: Result<WAMPResult, any Error>, generation: Int) async {
        guard generation == self.generation, invocations.removeValue(forKey: request) != nil else { return }
        let wasInterrupted = interrupted.remove(request) != nil
        guard case .established = state, let transport else { return }
        let answer: WAMPMessage
        switch result {
        case .success(let value):
            answer = .yield(.init(request: request, payload: value.payload))
        case .failure(let error as WAMPError):
            answer = .error(.init(requestType: .invocation, request: request, details: error.details, error: error.uri,
                                  payload: .arguments(error.args, error.kwargs)))
        case .failure(let error):
            if wasInterrupted || error is CancellationError {
                answer = .error(.init(requestType: .invocation, request: request, error: WAMPError.canceledURI))
            } else {
                answer = .error(.init(requestType: .invocation, request: request, error: WAMPError.runtimeErrorURI,
                                      payload: .arguments([.string("\(error)")], [:])))
            }
        }
        do {
            try await transport.send(answer)
        } catch {
            // A result too large for the peer, say: the caller still gets an answer.
            try? await transport.send(.error(.init(
                requestType: .invocation, request: request, error: WAMPError.runtimeErrorURI,
                payload: .arguments([.string("the result could not be sent: \(error)")], [:]))))
        }
    }

    // MARK: - Helpers

    static func encodeArgument(_ value: any Encodable) throws -> WAMPValue {
        do {
            return try WAMPValueEncoder().encode(value)
        } catch {
            throw WAMPSessionError(.invalidArgument, "cannot encode an argument of type \(type(of: value))", cause: error)
        }
    }
}
