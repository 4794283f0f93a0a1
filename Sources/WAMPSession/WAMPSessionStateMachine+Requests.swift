import OrderedCollections
import Transport

// Requests awaiting replies: starting them, matching replies, giving calls up, failing them all.

extension WAMPSessionStateMachine {
    /// A request awaiting its reply.
    struct Request {
        enum Kind: Equatable {
            case call
            case progressiveCall
            case publish
            /// SUBSCRIBE for the local subscription `token`.
            case subscribe(token: Int)
            case unsubscribe
            /// REGISTER for the local registration `token`.
            case register(token: Int)
            case unregister

            /// The request's message type, which its reply names.
            var messageType: WAMPMessageType {
                switch self {
                case .call, .progressiveCall: .call
                case .publish: .publish
                case .subscribe: .subscribe
                case .unsubscribe: .unsubscribe
                case .register: .register
                case .unregister: .unregister
                }
            }
        }

        /// Who takes the reply.
        enum Requester: Equatable {
            /// The requester still sends the request; a reply is kept in ``outcomes``.
            case sending
            /// The requester waits: ``Action/resume(_:_:)``.
            case waiting
            /// A progressive call's sequence: ``Action/yieldProgress(_:_:)``.
            case stream
            /// Nobody: a restoration, or UNSUBSCRIBE for a dropped subscription.
            case detached
        }

        let handle: RequestHandle
        let kind: Kind
        var requester: Requester
        var cancelMode = WAMPCallOptions.CancelMode.killNoWait
        var timeout: Duration?
        /// Part of the restoration after a re-join.
        var restores = false
    }

    /// The restoration of subscriptions and registrations after a re-join.
    struct Restore {
        /// Requests not answered yet.
        var pending = 0
        var subscriptions = 0
        var registrations = 0
    }

    /// Whether the session can take requests now.
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined`` when it cannot.
    func requireJoined() throws {
        guard phase == .established else {
            throw WAMPSessionError(.notJoined, "the session is not joined to realm \"\(realm)\" (\(phase))")
        }
    }

    /// Starts a request: a new ID and ticket, an entry awaiting the reply, the timeout's timer.
    mutating func start(
        _ kind: Request.Kind, requester: Request.Requester = .sending, options: WAMPCallOptions? = nil,
        restores: Bool = false, message: (WAMPID) -> WAMPMessage
    ) -> Started {
        let id = ids.next()
        lastTicket += 1
        let handle = RequestHandle(id: id, ticket: lastTicket)
        pending.insert(
            Request(handle: handle, kind: kind, requester: requester, cancelMode: options?.cancelMode ?? .killNoWait,
                    timeout: options?.timeout, restores: restores),
            id: id, type: kind.messageType)
        var actions: [Action] = []
        if let timeout = options?.timeout { actions.append(.startTimer(.request(handle), timeout)) }
        return Started(handle: handle, message: message(id), actions: actions)
    }

    /// A started request that nobody waits for, as actions: its own, then sending it.
    mutating func startDetached(_ kind: Request.Kind, restores: Bool = false, message: (WAMPID) -> WAMPMessage) -> [Action] {
        let started = start(kind, requester: .detached, restores: restores, message: message)
        return started.actions + [.send(started.message)]
    }

    /// What a requester does once its request is sent.
    enum AfterSend {
        /// Wait for ``Action/resume(_:_:)``.
        case wait
        /// The outcome is known already (the reply came during the send, or the call was given
        /// up, or the session ended).
        case complete(Result<WAMPMessage, any Error>)
    }

    /// The requester sent its request.
    mutating func requestSent(_ handle: RequestHandle) -> AfterSend {
        if !outcomes.isEmpty, let outcome = outcomes.removeValue(forKey: handle.ticket) { return .complete(outcome) }
        let waits = pending.modify(handle.id) { request -> Bool in
            guard request.handle == handle, request.requester == .sending else { return false }
            request.requester = .waiting
            return true
        }
        guard waits == true else {
            return .complete(.failure(WAMPSessionError(.sessionClosed, "request \(handle.id) was dropped")))
        }
        return .wait
    }

    /// The requester could not send its request (too large, transport closed, ...): it is
    /// dropped, and so is what it was for (a subscription, a registration, a progressive call).
    mutating func requestNotSent(_ handle: RequestHandle, _ error: any Error) -> [Action] {
        outcomes[handle.ticket] = nil
        guard let request = pending[handle.id], request.handle == handle else { return [] }
        _ = pending.remove(handle.id)
        var actions: [Action] = request.timeout == nil ? [] : [.cancelTimer(.request(handle))]
        actions += dropLocal(for: request, error)
        return actions
    }

    /// A reply (or an ERROR naming `type`) for request `id`.
    mutating func reply(
        _ id: WAMPID, _ result: Result<WAMPMessage, any Error>, to type: WAMPMessageType, final: Bool = true
    ) -> [Action] {
        let what: String
        switch result {
        case .success(let message): what = message.type.name
        case .failure: what = "ERROR"
        }
        let request: Request
        switch pending.match(id, replyTo: type, final: final, what: what) {
        case .pending(let entry): request = entry
        case .late: return []
        case .unexpected(let text): return protocolViolation(text)
        }
        let handle = request.handle
        var actions: [Action] = []
        if request.kind == .progressiveCall, case .success(.result(let message)) = result {
            actions.append(.yieldProgress(handle, WAMPResult(message.payload, details: message.details)))
            guard final else { return actions }
        }
        _ = pending.remove(id)
        if request.timeout != nil { actions.append(.cancelTimer(.request(handle))) }
        switch result {
        case .success(let message): actions += bind(message, for: request.kind)
        case .failure(let error): actions += dropLocal(for: request, error)
        }
        switch request.requester {
        case .waiting: actions.append(.resume(handle, result))
        case .sending: outcomes[handle.ticket] = result
        case .stream: if case .success = result { actions.append(.finishProgress(handle, nil)) }
        case .detached: break
        }
        if request.restores { actions += restoreAnswered(request.kind, succeeded: (try? result.get()) != nil) }
        return actions
    }

    /// Gives a call up locally (task cancelled, timeout, progressive results not read): the
    /// requester gets `error` at once, CANCEL is sent, a late RESULT or ERROR is ignored.
    mutating func abandon(_ handle: RequestHandle, _ error: any Error) -> [Action] {
        guard let request = pending[handle.id], request.handle == handle, pending.abandonCall(handle.id) != nil else { return [] }
        var actions: [Action] = request.timeout == nil ? [] : [.cancelTimer(.request(handle))]
        switch request.requester {
        case .waiting: actions.append(.resume(handle, .failure(error)))
        case .sending: outcomes[handle.ticket] = .failure(error)
        case .stream: actions.append(.finishProgress(handle, error))
        case .detached: break
        }
        if phase == .established {
            actions.append(.send(.cancel(.init(request: handle.id, options: ["mode": .string(request.cancelMode.rawValue)]))))
        }
        return actions
    }

    /// A progressive call's sequence was full: the call is given up with
    /// ``WAMPSessionError/Code/eventBufferOverflow``.
    mutating func progressOverflowed(_ handle: RequestHandle) -> [Action] {
        let limit = configuration.eventBufferLimit
        return abandon(handle, WAMPSessionError(
            .eventBufferOverflow, "more than \(limit) progressive results of call \(handle.id) were not read; it was canceled"))
    }

    /// Fails every pending request with `error`, and drops what the user's requests were for
    /// (a subscription or registration not confirmed yet, a progressive call); a requester
    /// still sending finds the error in ``outcomes``. A restoration's subscriptions and
    /// registrations stay, for the next re-join.
    mutating func failAllPending(_ error: any Error) -> [Action] {
        var actions: [Action] = []
        for request in pending.removeAll().sorted(by: { $0.handle.ticket < $1.handle.ticket }) {
            if request.timeout != nil { actions.append(.cancelTimer(.request(request.handle))) }
            guard !request.restores else { continue }
            actions += dropLocal(for: request, error)
            switch request.requester {
            case .waiting: actions.append(.resume(request.handle, .failure(error)))
            case .sending: outcomes[request.handle.ticket] = .failure(error)
            case .stream, .detached: break  // a progressive call's sequence is finished by dropLocal
            }
        }
        restoring = Restore()
        return actions
    }

    /// Drops what a failed request was for.
    private mutating func dropLocal(for request: Request, _ error: any Error) -> [Action] {
        switch request.kind {
        case .subscribe(let token):
            guard subscriptions.removeValue(forKey: token) != nil else { return [] }
            return [.finishSubscription(token: token, error)]
        case .register(let token):
            registrations[token] = nil
            return []
        case .progressiveCall:
            return [.finishProgress(request.handle, error)]
        case .call, .publish, .unsubscribe, .unregister:
            return []
        }
    }

    /// Binds a subscription or registration to its router ID the moment the reply arrives, so
    /// that an EVENT or INVOCATION right behind it is not missed. One ended meanwhile (during
    /// its restoration) is undone at the router, nobody waiting.
    private mutating func bind(_ message: WAMPMessage, for kind: Request.Kind) -> [Action] {
        switch (message, kind) {
        case (.subscribed(let subscribed), .subscribe(let token)):
            let id = subscribed.subscription
            guard subscriptions[token] != nil else {
                guard subscribers[id] == nil else { return [] }  // another local subscription shares it
                return startDetached(.unsubscribe) { .unsubscribe(.init(request: $0, subscription: id)) }
            }
            subscriptions[token]?.routerID = id
            // In token order (after a reconnection, subscriptions are bound again in any order);
            // taken out and put back so that the set is changed in place.
            var tokens = subscribers.removeValue(forKey: id) ?? []
            tokens.insert(token, at: tokens.firstIndex { $0 > token } ?? tokens.endIndex)
            subscribers[id] = tokens
        case (.registered(let registered), .register(let token)):
            let id = registered.registration
            guard registrations[token] != nil else {
                return startDetached(.unregister) { .unregister(.init(request: $0, registration: id)) }
            }
            registrations[token]?.routerID = id
            registrationTokens[id] = token
        default:
            break
        }
        return []
    }

    // MARK: - Restoring after a re-join

    /// Subscribes and registers again what was subscribed and registered before the drop.
    mutating func restore() -> [Action] {
        var actions: [Action] = []
        for token in subscriptions.keys.sorted() {
            guard let subscription = subscriptions[token] else { continue }
            actions += startDetached(.subscribe(token: token), restores: true) {
                .subscribe(.init(request: $0, options: subscription.options, topic: subscription.topic))
            }
        }
        for token in registrations.keys.sorted() {
            guard let registration = registrations[token] else { continue }
            actions += startDetached(.register(token: token), restores: true) {
                .register(.init(request: $0, options: registration.options, procedure: registration.procedure))
            }
        }
        restoring = Restore(pending: subscriptions.count + registrations.count)
        if restoring.pending == 0 { actions.append(.emit(.restored(subscriptions: 0, registrations: 0))) }
        return actions
    }

    /// A restoring request was answered; the last answer emits ``WAMPSessionEvent/restored(subscriptions:registrations:)``.
    private mutating func restoreAnswered(_ kind: Request.Kind, succeeded: Bool) -> [Action] {
        guard restoring.pending > 0 else { return [] }
        restoring.pending -= 1
        switch kind {
        case .subscribe(let token) where succeeded && subscriptions[token] != nil: restoring.subscriptions += 1
        case .register(let token) where succeeded && registrations[token] != nil: restoring.registrations += 1
        default: break  // refused, or ended meanwhile
        }
        guard restoring.pending == 0 else { return [] }
        return [.emit(.restored(subscriptions: restoring.subscriptions, registrations: restoring.registrations))]
    }
}
