import OrderedCollections
import Transport

// The four client roles: the requests they start and the messages they receive.

extension WAMPSessionStateMachine {
    /// A local subscription.
    struct Subscription {
        let topic: String
        let options: [String: WAMPValue]
        /// The router's subscription ID in the current join, once SUBSCRIBED came.
        var routerID: WAMPID?
    }

    /// A local registration.
    struct Registration {
        let procedure: String
        let options: [String: WAMPValue]
        let handler: WAMPSession.Handler
        /// The router's registration ID in the current join, once REGISTERED came.
        var routerID: WAMPID?
    }

    // MARK: - Caller

    /// Starts a CALL (with `receive_progress` when `progressive`).
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined``.
    mutating func call(
        _ procedure: String, args: [WAMPValue], kwargs: [String: WAMPValue], options: WAMPCallOptions, progressive: Bool = false
    ) throws -> Started {
        try requireJoined()
        var callOptions = options.extra
        if progressive { callOptions["receive_progress"] = true }
        return start(progressive ? .progressiveCall : .call, requester: progressive ? .stream : .sending, options: options) {
            .call(.init(request: $0, options: callOptions, procedure: procedure, payload: .arguments(args, kwargs)))
        }
    }

    // MARK: - Publisher

    /// A PUBLISH: with `acknowledge` a request awaiting PUBLISHED, without just the message.
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined``.
    mutating func publish(
        _ topic: String, args: [WAMPValue], kwargs: [String: WAMPValue], options: [String: WAMPValue], acknowledge: Bool
    ) throws -> (message: WAMPMessage, request: Started?) {
        try requireJoined()
        var publishOptions = options
        if acknowledge { publishOptions["acknowledge"] = true }
        let message = { (id: WAMPID) in
            WAMPMessage.publish(.init(request: id, options: publishOptions, topic: topic, payload: .arguments(args, kwargs)))
        }
        guard acknowledge else { return (message(ids.next()), nil) }
        let started = start(.publish, message: message)
        return (started.message, started)
    }

    // MARK: - Subscriber

    /// Starts a SUBSCRIBE for a new local subscription.
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined``.
    mutating func subscribe(_ topic: String, options: [String: WAMPValue]) throws -> (token: Int, request: Started) {
        try requireJoined()
        let token = nextToken
        nextToken += 1
        subscriptions[token] = Subscription(topic: topic, options: options)
        let started = start(.subscribe(token: token)) { .subscribe(.init(request: $0, options: options, topic: topic)) }
        return (token, started)
    }

    /// The user ends a local subscription: its sequence finishes; UNSUBSCRIBE (to wait for) when
    /// it was the last local one of its router subscription.
    mutating func unsubscribe(token: Int) -> (request: Started?, actions: [Action]) {
        guard let ended = endSubscription(token, nil) else { return (nil, []) }
        guard let routerID = ended.routerID else { return (nil, ended.actions) }
        return (start(.unsubscribe) { .unsubscribe(.init(request: $0, subscription: routerID)) }, ended.actions)
    }

    /// A local subscription's sequence was dropped, or its reader cancelled: as
    /// ``unsubscribe(token:)``, nobody waiting for UNSUBSCRIBED.
    mutating func subscriptionDropped(_ token: Int) -> [Action] {
        detachedUnsubscribe(endSubscription(token, nil))
    }

    /// A local subscription's buffer was full: it ends with
    /// ``WAMPSessionError/Code/eventBufferOverflow`` (nothing is dropped silently).
    mutating func subscriptionOverflowed(_ token: Int) -> [Action] {
        guard let topic = subscriptions[token]?.topic else { return [] }
        let limit = configuration.eventBufferLimit
        return detachedUnsubscribe(
            endSubscription(token, WAMPSessionError(.eventBufferOverflow, "more than \(limit) events of \(topic) were not read")))
    }

    /// Removes a local subscription. `nil` when there is none; else the actions and the router
    /// subscription to UNSUBSCRIBE, when it was its last local one and the session is joined.
    private mutating func endSubscription(_ token: Int, _ error: (any Error)?) -> (routerID: WAMPID?, actions: [Action])? {
        guard let subscription = subscriptions.removeValue(forKey: token) else { return nil }
        let actions: [Action] = [.finishSubscription(token: token, error)]
        guard let routerID = subscription.routerID else { return (nil, actions) }
        subscribers[routerID]?.remove(token)
        guard subscribers[routerID]?.isEmpty == true else { return (nil, actions) }
        subscribers[routerID] = nil
        return (phase == .established ? routerID : nil, actions)
    }

    private mutating func detachedUnsubscribe(_ ended: (routerID: WAMPID?, actions: [Action])?) -> [Action] {
        guard let ended else { return [] }
        guard let routerID = ended.routerID else { return ended.actions }
        return ended.actions + startDetached(.unsubscribe) { .unsubscribe(.init(request: $0, subscription: routerID)) }
    }

    /// An EVENT: one ``Action/deliver(token:_:)`` per local subscription of its router subscription.
    func deliver(_ message: WAMPMessage.Event) -> [Action] {
        guard let tokens = subscribers[message.subscription] else { return [] }  // e.g. just unsubscribed
        let payload = message.payload.decoded  // once for every subscriber: a serialized payload decodes on each read
        func delivery(to token: Int) -> Action? {
            subscriptions[token].map { subscription in
                .deliver(token: token, WAMPEvent(
                    topic: subscription.topic, publication: message.publication, args: payload.args, kwargs: payload.kwargs,
                    details: message.details))
            }
        }
        return tokens.compactMap(delivery(to:))
    }

    /// UNSUBSCRIBED with request 0: the router revoked a subscription.
    mutating func revokeSubscription(_ details: [String: WAMPValue]) -> [Action] {
        guard let id = details["subscription"]?.uint64Value, let tokens = subscribers.removeValue(forKey: id) else { return [] }
        let reason = details["reason"]?.stringValue ?? "revoked"
        let error = WAMPSessionError(.sessionClosed, "the router revoked the subscription: \(reason)", reason: reason, details: details)
        return tokens.compactMap { token in
            subscriptions.removeValue(forKey: token).map { _ in .finishSubscription(token: token, error) }
        }
    }

    // MARK: - Callee

    /// Starts a REGISTER for a new local registration.
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined``.
    mutating func register(
        _ procedure: String, options: [String: WAMPValue], handler: @escaping WAMPSession.Handler
    ) throws -> (token: Int, request: Started) {
        try requireJoined()
        let token = nextToken
        nextToken += 1
        registrations[token] = Registration(procedure: procedure, options: options, handler: handler)
        let started = start(.register(token: token)) { .register(.init(request: $0, options: options, procedure: procedure)) }
        return (token, started)
    }

    /// The user ends a local registration: UNREGISTER (to wait for) when the router knows it and
    /// the session is joined.
    mutating func unregister(token: Int) -> Started? {
        guard let registration = registrations.removeValue(forKey: token), let routerID = registration.routerID else { return nil }
        registrationTokens[routerID] = nil
        guard phase == .established else { return nil }
        return start(.unregister) { .unregister(.init(request: $0, registration: routerID)) }
    }

    /// UNREGISTERED with request 0: the router revoked a registration.
    mutating func revokeRegistration(_ details: [String: WAMPValue]) -> [Action] {
        if let id = details["registration"]?.uint64Value, let token = registrationTokens.removeValue(forKey: id) {
            registrations[token] = nil
        }
        return []
    }

    /// An INVOCATION: the handler starts, or ERROR at once (no such registration, too many
    /// running: the reader never waits for a handler).
    mutating func invoke(_ invocation: WAMPMessage.Invocation) -> [Action] {
        guard let token = registrationTokens[invocation.registration], let registration = registrations[token] else {
            return [.send(invocationError(
                invocation.request, WAMPError.noSuchRegistrationURI, "no registration \(invocation.registration) in this session"))]
        }
        let limit = configuration.maxConcurrentInvocations
        guard invocations.count < limit else {
            return [.send(invocationError(
                invocation.request, WAMPError.runtimeErrorURI, "this callee already runs \(limit) invocations, its maxConcurrentInvocations"))]
        }
        lastTicket += 1
        let handle = InvocationHandle(request: invocation.request, ticket: lastTicket)
        invocations[invocation.request] = handle.ticket
        let payload = invocation.payload.decoded  // once: a serialized payload decodes on each read
        let call = WAMPInvocation(
            procedure: invocation.details["procedure"]?.stringValue ?? registration.procedure, request: invocation.request,
            args: payload.args, kwargs: payload.kwargs, details: invocation.details)
        return [.startInvocation(handle, registration.handler, call)]
    }

    /// An INTERRUPT: the handler is cancelled; its answer is `wamp.error.canceled`.
    mutating func interrupt(_ request: WAMPID) -> [Action] {
        guard let ticket = invocations[request] else { return [] }
        interrupted.insert(request)
        return [.interruptInvocation(InvocationHandle(request: request, ticket: ticket))]
    }

    /// A handler finished: its YIELD or ERROR, when the invocation still belongs to this join.
    mutating func invocationCompleted(_ handle: InvocationHandle, _ result: Result<WAMPResult, any Error>) -> [Action] {
        guard invocations[handle.request] == handle.ticket else { return [] }
        invocations[handle.request] = nil
        let wasInterrupted = interrupted.remove(handle.request) != nil
        guard phase == .established else { return [] }
        let request = handle.request
        switch result {
        case .success(let value):
            return [.answer(.yield(.init(request: request, payload: value.payload)))]
        case .failure(let error as WAMPError):
            return [.answer(.error(.init(
                requestType: .invocation, request: request, details: error.details, error: error.uri,
                payload: .arguments(error.args, error.kwargs))))]
        case .failure(let error):
            if wasInterrupted || error is CancellationError {
                return [.answer(.error(.init(requestType: .invocation, request: request, error: WAMPError.canceledURI)))]
            }
            return [.answer(invocationError(request, WAMPError.runtimeErrorURI, "\(error)"))]
        }
    }

    /// Cancels every running handler (the join ended); their answers are dropped.
    mutating func cancelInvocations() -> [Action] {
        let running = invocations.sorted { $0.value < $1.value }
        invocations = [:]
        interrupted = []
        return running.map { .interruptInvocation(InvocationHandle(request: $0.key, ticket: $0.value)) }
    }

    /// ERROR for an INVOCATION with one text argument.
    func invocationError(_ request: WAMPID, _ uri: String, _ text: String) -> WAMPMessage {
        .error(.init(requestType: .invocation, request: request, error: uri, payload: .arguments([.string(text)], [:])))
    }
}
