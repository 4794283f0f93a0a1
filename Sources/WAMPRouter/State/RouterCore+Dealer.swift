import Transport

// The dealer's part of the routing: REGISTER, UNREGISTER, CALL, YIELD, ERROR from callees,
// CANCEL, and the dealer's call timeouts.
extension RouterCore {
    /// REGISTER: REGISTERED with the (new or shared) registration's ID, created at `created`
    /// when it is the first, followed by the meta events `wamp.registration.on_create` and
    /// `on_register`.
    mutating func register(
        _ register: WAMPMessage.Register, _ session: RouterSession, created: UTCTime, into actions: inout [RouterAction]
    ) {
        func reply(_ uri: String, _ text: String) {
            actions.append(.send(Self.error(.register, register.request, uri, text), to: session.connection))
        }
        let options = OptionReader(options: register.options, messageType: .register)
        let policy: URIMatchPolicy
        let invoke: InvocationPolicy
        let discloseCaller: Bool
        do {
            policy = try URIMatchPolicy(options)
            invoke = try InvocationPolicy(options)
            discloseCaller = try options.bool("disclose_caller")
        } catch {
            return reply(WAMPURI.invalidArgument, error.message)
        }
        guard policy.isValidPattern(register.procedure) else {
            return reply(WAMPURI.invalidURI, "\"\(register.procedure)\" is not a valid procedure for match \"\(policy.rawValue)\"")
        }
        guard !register.procedure.hasPrefix("wamp.") else {
            return reply(WAMPURI.invalidURI, "procedures under \"wamp.\" are reserved for the router")
        }
        guard (sessions[session.id]?.registrations.count ?? 0) < limits.registrationsPerSession else {
            return reply(WAMPRouter.limitExceededURI, Self.overLimit(
                limits.registrationsPerSession, "registrations", "registrationsPerSession"))
        }
        let callee = Dealer.Callee(session: session.id, discloseCaller: discloseCaller)
        let isCreated = realms[session.realm]?.dealer.registrationID(register.procedure, policy) == nil
        let id: WAMPID?
        do throws(Dealer.RegisterError) {
            id = try realms[session.realm]?.dealer.register(
                callee, for: register.procedure, policy, invoke: invoke, created: created)
        } catch {
            switch error {
            case .alreadyExists:
                return reply(WAMPURI.procedureAlreadyExists, "\"\(register.procedure)\" is already registered")
            case .differentPolicy(let existing):
                return reply(
                    WAMPURI.procedureExistsWithDifferentInvocationPolicy,
                    "\"\(register.procedure)\" is registered with invoke \"\(existing.rawValue)\", not \"\(invoke.rawValue)\"")
            }
        }
        guard let id else { return }
        sessions[session.id]?.registrations.insert(id)
        actions.append(.send(.registered(.init(request: register.request, registration: id)), to: session.connection))
        publishAttached(.registration, id, of: session.id, isCreated: isCreated, in: session.realm, into: &actions)
    }

    /// UNREGISTER: ends one of the session's registrations (``end(_:_:request:_:into:)``).
    mutating func unregister(_ unregister: WAMPMessage.Unregister, _ session: RouterSession, into actions: inout [RouterAction]) {
        end(.registration, unregister.registration, request: unregister.request, session, into: &actions)
    }

    /// Routes a CALL to the best-matching registration's callee as an INVOCATION.
    mutating func call(
        _ call: WAMPMessage.Call, _ session: RouterSession, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) {
        func reply(_ uri: String, _ text: String) {
            actions.append(.send(Self.error(.call, call.request, uri, text), to: session.connection))
        }
        // The caller's calls looked up once: for a request ID in flight, and for the limit.
        let (reused, inFlight) = sessions.withValueInPlace(session.id) { ($0.calls[call.request] != nil, $0.calls.count) }
            ?? (false, 0)
        guard !reused else {
            return protocolViolation(
                on: session.connection, "CALL request \(call.request) reuses the ID of a call in flight", into: &actions)
        }
        let options = OptionReader(options: call.options, messageType: .call)
        let timeout: UInt64?
        let receiveProgress: Bool
        let disclose: Bool
        do {
            timeout = try options.count("timeout")
            receiveProgress = try options.bool("receive_progress")
            disclose = try options.bool("disclose_me")
        } catch {
            return reply(WAMPURI.invalidArgument, error.message)
        }
        guard URIMatchPolicy.isConcrete(call.procedure) else {
            return reply(WAMPURI.invalidURI, "\"\(call.procedure)\" is not a valid procedure to call")
        }
        if answerMetaCall(call, session, now: now, into: &actions) { return }
        guard inFlight < limits.pendingCallsPerSession else {
            return reply(WAMPRouter.limitExceededURI, Self.overLimit(
                limits.pendingCallsPerSession, "calls in flight", "pendingCallsPerSession"))
        }
        // The realm looked up once for routing and starting the invocation: nothing in between
        // adds or removes a realm, so the index stays valid.
        guard let realm = realms.index(forKey: session.realm),
              let route = realms.values[realm].dealer.route(call.procedure, using: &random),
              let calleeConnection = sessions.withValueInPlace(route.callee.session, { $0.connection })
        else {
            return reply(WAMPURI.noSuchProcedure, "no procedure \"\(call.procedure)\" is registered")
        }
        // Durations in milliseconds up to 2^53: beyond that, no deadline worth keeping.
        let deadline = timeout.flatMap { $0 > 0 && $0 <= WAMPID.wampMax ? now + .milliseconds(Int64($0)) : nil }
        let invocation = realms.values[realm].dealer.startInvocation(
            caller: session.id, callRequest: call.request, callee: route.callee.session, receiveProgress: receiveProgress)
        var details: [String: WAMPValue] = [:]
        if route.policy != .exact { details["procedure"] = .string(call.procedure) }
        if disclose || route.callee.discloseCaller {
            details["caller"] = .integer(exactly: session.id)
            details["caller_authid"] = .string(session.identity.authid)
            details["caller_authrole"] = .string(session.identity.authrole)
        }
        if receiveProgress { details["receive_progress"] = true }
        if let timeout, deadline != nil { details["timeout"] = .integer(exactly: timeout) }
        // In place: `sessions[id]?.field = value` copies the whole session out and back, and
        // allocates the accessor's frame for it.
        sessions.withValueInPlace(session.id) { caller in
            caller.calls[call.request] = invocation.id
            if let deadline { caller.callDeadlines[invocation.id] = deadline }
        }
        sessions.withValueInPlace(route.callee.session) { callee in
            callee.invocations.insert(invocation.id)
            callee.lastInvocation = invocation.id
        }
        actions.append(.send(
            .invocation(.init(request: invocation.id, registration: route.registration, details: details, payload: call.payload)),
            to: calleeConnection))
        if let deadline { noteDeadline(deadline, of: session.connection, into: &actions) }
    }

    /// A callee's YIELD: RESULT to the caller (progressive ones only when the caller asked for
    /// them; others are dropped). A YIELD for an invocation no longer in flight (canceled, timed
    /// out) is dropped; one for an INVOCATION never sent to the session is a protocol violation
    /// (the WAMP spec's "YIELD message with invalid INVOCATION.Request").
    mutating func yield(_ yield: WAMPMessage.Yield, _ session: RouterSession, into actions: inout [RouterAction]) {
        // Only the caller's connection is kept: a copy of its session would make `finish`
        // copy the session's calls (copy-on-write) to remove one.
        // The realm looked up once, for the invocation and for finishing it.
        guard let realm = realms.index(forKey: session.realm),
              let invocation = realms.withValueInPlace(at: realm, { $0.dealer.invocations[yield.request] }),
              invocation.callee == session.id,
              let callerConnection = sessions.withValueInPlace(invocation.caller, { $0.connection })
        else { return refuseUnknownInvocation(.yield, yield.request, session, into: &actions) }
        if yield.options["progress"] == .bool(true) {
            guard invocation.receiveProgress else { return }
            actions.append(.send(
                .result(.init(request: invocation.callRequest, details: ["progress": true], payload: yield.payload)),
                to: callerConnection))
            return
        }
        finish(invocation.id, inRealmAt: realm)
        actions.append(.send(.result(.init(request: invocation.callRequest, payload: yield.payload)), to: callerConnection))
    }

    /// A callee's ERROR for an INVOCATION: the same ERROR, args and kwargs to the caller. As
    /// for YIELD, one for an invocation no longer in flight is dropped, one for an INVOCATION
    /// never sent is a protocol violation.
    mutating func calleeError(_ error: WAMPMessage.Error, _ session: RouterSession, into actions: inout [RouterAction]) {
        guard let invocation = realms.withValueInPlace(session.realm, { $0.dealer.invocations[error.request] }) ?? nil,
              invocation.callee == session.id,
              let callerConnection = sessions.withValueInPlace(invocation.caller, { $0.connection })
        else { return refuseUnknownInvocation(.error, error.request, session, into: &actions) }
        finish(invocation.id, in: session.realm)
        actions.append(.send(
            .error(.init(requestType: .call, request: invocation.callRequest, details: error.details, error: error.error,
                         payload: error.payload)),
            to: callerConnection))
    }

    /// A YIELD or ERROR of `session` for `request`, which is not in flight: dropped when the
    /// request was an INVOCATION sent to the session (a late answer), a protocol violation when
    /// no INVOCATION with that ID was ever sent to it.
    private mutating func refuseUnknownInvocation(
        _ type: WAMPMessageType, _ request: WAMPID, _ session: RouterSession, into actions: inout [RouterAction]
    ) {
        guard request > session.lastInvocation else { return }
        protocolViolation(
            on: session.connection,
            "\(type) for INVOCATION request \(request), which was never sent to this session (the last was \(session.lastInvocation))",
            into: &actions)
    }

    /// A caller's CANCEL, by its mode: `skip` answers the caller at once and lets the callee run;
    /// `killnowait` (the default) also sends INTERRUPT; `kill` sends INTERRUPT and lets the
    /// callee's answer end the call. A callee that did not announce `call_canceling` is treated
    /// as `skip`.
    mutating func cancel(_ cancel: WAMPMessage.Cancel, _ session: RouterSession, into actions: inout [RouterAction]) {
        let mode: String
        do {
            mode = try OptionReader(options: cancel.options, messageType: .cancel)
                .oneOf("mode", ["skip", "kill", "killnowait"]) ?? "killnowait"
        } catch {
            return protocolViolation(on: session.connection, error.message, into: &actions)
        }
        guard let id = sessions.withValueInPlace(session.id, { $0.calls[cancel.request] }) ?? nil,
              let invocation = realms.withValueInPlace(session.realm, { $0.dealer.invocations[id] }) ?? nil
        else {
            return  // finished already: the answer is on its way
        }
        let calleeCancels = sessions[invocation.callee]?.calleeCancels ?? false
        switch calleeCancels ? mode : "skip" {
        case "kill":
            guard !invocation.interrupted else { return }
            realms[session.realm]?.dealer.markInterrupted(invocation.id)
            interrupt(invocation, mode: "kill", reason: WAMPURI.canceled, into: &actions)
        case "killnowait":
            finish(invocation.id, in: session.realm)
            interrupt(invocation, mode: "killnowait", reason: WAMPURI.canceled, into: &actions)
            actions.append(.send(
                Self.error(.call, invocation.callRequest, WAMPURI.canceled, "the call was canceled"), to: session.connection))
        default:
            finish(invocation.id, in: session.realm)
            actions.append(.send(
                Self.error(.call, invocation.callRequest, WAMPURI.canceled, "the call was canceled"), to: session.connection))
        }
    }

    /// The dealer's timeout of invocation `id`: ERROR `wamp.error.canceled` to the caller,
    /// INTERRUPT (`killnowait`, reason `wamp.error.timeout`) to the callee.
    mutating func timeOut(_ id: WAMPID, in realm: String, into actions: inout [RouterAction]) {
        guard let invocation = finish(id, in: realm), let caller = sessions[invocation.caller] else { return }
        interrupt(invocation, mode: "killnowait", reason: WAMPURI.timeout, into: &actions)
        actions.append(.send(
            Self.error(.call, invocation.callRequest, WAMPURI.canceled, "the call timed out"), to: caller.connection))
    }

    /// INTERRUPT to the invocation's callee, when it is there and announced `call_canceling`.
    mutating func interrupt(_ invocation: Dealer.Invocation, mode: String, reason: String, into actions: inout [RouterAction]) {
        guard let callee = sessions[invocation.callee], callee.calleeCancels else { return }
        actions.append(.send(
            .interrupt(.init(request: invocation.id, options: ["mode": .string(mode), "reason": .string(reason)])),
            to: callee.connection))
    }

    /// Ends invocation `id` in the dealer and in its caller's and callee's records.
    @discardableResult
    mutating func finish(_ id: WAMPID, in realm: String) -> Dealer.Invocation? {
        guard let realm = realms.index(forKey: realm) else { return nil }
        return finish(id, inRealmAt: realm)
    }

    /// ``finish(_:in:)`` for the realm at `realm` in ``realms``.
    @discardableResult
    private mutating func finish(_ id: WAMPID, inRealmAt realm: Dictionary<String, RealmState>.Index) -> Dealer.Invocation? {
        guard let invocation = realms.values[realm].dealer.finish(id) else { return nil }
        sessions.withValueInPlace(invocation.caller) { caller in
            caller.calls[invocation.callRequest] = nil
            // Most callers have no call with a deadline: no lookup then.
            if !caller.callDeadlines.isEmpty { caller.callDeadlines[id] = nil }
        }
        sessions.withValueInPlace(invocation.callee) { $0.invocations.remove(id) }
        return invocation
    }
}
