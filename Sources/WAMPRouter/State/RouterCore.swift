import Transport

/// The whole routing logic as pure state, in the manner of swift-nio-ssh's and postgres-nio's
/// state machines: events in (a connection arrives, a message is received, a connection ends, a
/// deadline passes, shutdown), actions out (messages to send to which connection, connections to
/// close, timers to look again). It does no I/O and reads no clock: the time is passed in.
///
/// The session phase of each connection lives here: HELLO, WELCOME or ABORT; GOODBYE both
/// ways; protocol violations; the realm table; and, per realm, the broker's and the dealer's
/// state.
struct RouterCore: Sendable {
    /// Where a connection is in its session's life.
    enum Phase: Hashable, Sendable {
        /// No session yet (or again, after GOODBYE); closed at the deadline.
        case awaitingHello(deadline: ContinuousClock.Instant)
        /// CHALLENGE sent, AUTHENTICATE awaited until the deadline (the HELLO's).
        case authenticating(deadline: ContinuousClock.Instant)
        /// A session is established.
        case established(WAMPID)
        /// The router sent GOODBYE and waits for the reply until the deadline.
        case closing(deadline: ContinuousClock.Instant)
        /// The router closes the connection: nothing more is read or routed.
        case closed
    }

    private struct Connection {
        var phase: Phase
        /// The deadline the connection's timer waits for.
        var armed: ContinuousClock.Instant?
        /// The login between CHALLENGE and AUTHENTICATE.
        var pending: PendingAuthentication?
    }

    let limits: WAMPRouter.Limits
    let closeGracePeriod: Duration
    let helloTimeout: Duration

    var realms: [String: RealmState] = [:]
    /// Some realm has roles: without any, no message needs a realm lookup for its permission.
    private(set) var someRealmHasRoles = false
    var sessions = AssignedIDMap<RouterSession>()
    private var connections: [ConnectionID: Connection] = [:]
    private var lastConnection: UInt64 = 0
    private(set) var isShuttingDown = false
    var random = SystemRandomNumberGenerator()
    /// Publication IDs: random, without a system call for each (see ``RandomIDs``).
    var publicationIDs = RandomIDs()
    /// The methods the configuration's ``WAMPAuthenticator`` looks users up for.
    let authenticatorMethods: Set<WAMPAuthMethod>
    /// The time written into WAMP-CRA challenges: the one wall-clock reading of the routing
    /// state, informative only (nothing is decided by it).
    var timestamp: @Sendable () -> String = { RouterCore.wallClockTimestamp() }

    init(configuration: WAMPRouter.Configuration) {
        limits = configuration.limits
        authenticatorMethods = configuration.authenticator?.authMethods ?? []
        closeGracePeriod = configuration.closeGracePeriod
        helloTimeout = configuration.helloTimeout
        for realm in configuration.realms { addRealm(realm) }
    }

    // MARK: - Realms and connections

    /// Adds `realm`; `false` when a realm of that name exists (it is left as it is).
    @discardableResult
    mutating func addRealm(_ realm: WAMPRouter.Realm) -> Bool {
        guard realms[realm.name] == nil else { return false }
        let state = RealmState(realm: realm)
        realms[realm.name] = state
        if !state.roles.isEmpty { someRealmHasRoles = true }
        return true
    }

    /// A new connection, waiting for HELLO until `now` plus the hello timeout; `nil` while
    /// shutting down.
    mutating func connect(now: ContinuousClock.Instant) -> ConnectionID? {
        guard !isShuttingDown else { return nil }
        lastConnection += 1
        let id = ConnectionID(rawValue: lastConnection)
        connections[id] = Connection(phase: .awaitingHello(deadline: now + helloTimeout))
        return id
    }

    /// The phase of `connection`, `nil` once it is gone.
    func phase(of connection: ConnectionID) -> Phase? {
        connections[connection]?.phase
    }

    /// Whether messages from `connection` are still read.
    ///
    /// Mutating only to read the connection in place (``Dictionary/withValueInPlace(_:_:)``): a
    /// copy of it is a copy of its deadlines, `ContinuousClock.Instant`s, whose layout is known
    /// only at run time. It changes nothing.
    mutating func isOpen(_ connection: ConnectionID) -> Bool {
        connections.withValueInPlace(connection) { connection in
            // A pattern, not `!=`: the derived equality compares the deadlines too.
            if case .closed = connection.phase { false } else { true }
        } ?? false
    }

    /// Moves `connection` to `phase`, with `pending` as its login in progress.
    mutating func setPhase(_ phase: Phase, pending: PendingAuthentication?, of connection: ConnectionID) {
        guard connections[connection] != nil else { return }
        connections[connection]?.phase = phase
        connections[connection]?.pending = pending
    }

    /// The login in progress on `connection`.
    func pendingAuthentication(of connection: ConnectionID) -> PendingAuthentication? {
        connections[connection]?.pending
    }

    /// The session established on `connection`.
    func session(on connection: ConnectionID) -> RouterSession? {
        guard case .established(let id)? = connections[connection]?.phase else { return nil }
        return sessions[id]
    }

    /// The connection's transport ended (or its outbound queue overflowed): its session leaves
    /// without a word to it, and the connection is forgotten.
    mutating func disconnect(_ connection: ConnectionID) -> [RouterAction] {
        guard let removed = connections.removeValue(forKey: connection) else { return [] }
        var actions: [RouterAction] = []
        if case .established(let session) = removed.phase { leave(session, into: &actions) }
        actions.append(.close(connection))
        return actions
    }

    // MARK: - Timers

    /// The earliest deadline of `connection`, remembered as the one its timer waits for.
    mutating func armTimer(_ connection: ConnectionID) -> ContinuousClock.Instant? {
        guard let entry = connections[connection] else { return nil }
        let deadline: ContinuousClock.Instant?
        switch entry.phase {
        case .awaitingHello(let at), .authenticating(let at), .closing(let at): deadline = at
        case .established(let session): deadline = sessions[session]?.earliestCallDeadline
        case .closed: deadline = nil
        }
        connections[connection]?.armed = deadline
        return deadline
    }

    /// Asks for the connection's timer to look again when `deadline` is earlier than the one it
    /// waits for.
    mutating func noteDeadline(_ deadline: ContinuousClock.Instant, of connection: ConnectionID, into actions: inout [RouterAction]) {
        guard let entry = connections[connection] else { return }
        if let armed = entry.armed, armed <= deadline { return }
        connections[connection]?.armed = deadline
        actions.append(.rescheduleTimer(connection))
    }

    /// Acts on the deadlines of `connection` that passed by `now`: closes a connection that sent
    /// no HELLO or did not answer GOODBYE, and cancels the calls it made that timed out.
    mutating func expire(_ connection: ConnectionID, now: ContinuousClock.Instant) -> [RouterAction] {
        guard let phase = connections.withValueInPlace(connection, { $0.phase }) else { return [] }
        var actions: [RouterAction] = []
        switch phase {
        case .awaitingHello(let deadline), .authenticating(let deadline), .closing(let deadline):
            if deadline <= now { close(connection, into: &actions) }
        case .established(let id):
            guard let session = sessions[id] else { break }
            let expired = session.callDeadlines.filter { $0.value <= now }.keys.sorted()
            for invocation in expired { timeOut(invocation, in: session.realm, into: &actions) }
        case .closed:
            break
        }
        return actions
    }

    // MARK: - Receiving

    /// Routes one message received on `connection` at `now`; `utc` is the wall-clock time of
    /// the same moment, the `created` time of a subscription or registration the message
    /// creates (tests that do not look at it may leave the epoch); `lookup` is the
    /// ``WAMPAuthenticator``'s answer for a HELLO that ``authenticationRequest(for:on:)`` asked about.
    mutating func receive(
        _ message: WAMPMessage, from connection: ConnectionID, now: ContinuousClock.Instant, utc: UTCTime = .epoch,
        lookup: UserLookup? = nil
    ) -> [RouterAction] {
        var actions: [RouterAction] = []
        receive(message, from: connection, now: now, utc: utc, lookup: lookup, into: &actions)
        return actions
    }

    /// ``receive(_:from:now:utc:lookup:)`` appending the actions to `actions`: a caller that
    /// routes message after message reuses one array.
    mutating func receive(
        _ message: WAMPMessage, from connection: ConnectionID, now: ContinuousClock.Instant, utc: UTCTime = .epoch,
        lookup: UserLookup? = nil, into actions: inout [RouterAction]
    ) {
        // The session of an established connection, read in place: a copy of the phase is a
        // copy of its deadlines (`ContinuousClock.Instant`, a layout known only at run time),
        // which the other phases need.
        guard let established = connections.withValueInPlace(connection, { connection -> WAMPID? in
            if case .established(let session) = connection.phase { session } else { nil }
        }) else { return }
        if let session = established {
            receive(message, in: session, on: connection, now: now, utc: utc, into: &actions)
            return
        }
        guard let phase = connections.withValueInPlace(connection, { $0.phase }) else { return }
        switch phase {
        case .awaitingHello(let deadline):
            receiveWithoutSession(message, from: connection, deadline: deadline, lookup: lookup, into: &actions)
        case .authenticating:
            authenticate(message, on: connection, into: &actions)
        case .established:
            break  // routed above
        case .closing:
            // After its GOODBYE the router reads nothing but the reply (or an ABORT).
            switch message {
            case .goodbye, .abort: close(connection, into: &actions)
            default: break
            }
        case .closed:
            break
        }
    }

    private mutating func receiveWithoutSession(
        _ message: WAMPMessage, from connection: ConnectionID, deadline: ContinuousClock.Instant, lookup: UserLookup?,
        into actions: inout [RouterAction]
    ) {
        switch message {
        case .hello(let hello):
            join(hello, on: connection, deadline: deadline, lookup: lookup, into: &actions)
        case .abort:
            close(connection, into: &actions)
        case .authenticate:
            protocolViolation(on: connection, "AUTHENTICATE received with no CHALLENGE pending: send HELLO first", into: &actions)
        default:
            protocolViolation(on: connection, "\(message.type) received before WELCOME: send HELLO first", into: &actions)
        }
    }

    private mutating func receive(
        _ message: WAMPMessage, in id: WAMPID, on connection: ConnectionID, now: ContinuousClock.Instant, utc: UTCTime,
        into actions: inout [RouterAction]
    ) {
        // The handlers get the session without its collections, which stay in `sessions` only:
        // a second reference to them would make every change there copy them (copy-on-write).
        guard let session = sessions.withValueInPlace(id, { $0.withoutCollections }) else { return }
        if let refusal = roleRefusal(message, session) {
            actions += refuse(message, from: connection, uri: WAMPURI.notAuthorized, refusal)
            return
        }
        switch message {
        case .subscribe(let subscribe): self.subscribe(subscribe, session, created: utc, into: &actions)
        case .unsubscribe(let unsubscribe): self.unsubscribe(unsubscribe, session, into: &actions)
        case .publish(let publish): self.publish(publish, session, into: &actions)
        case .register(let register): self.register(register, session, created: utc, into: &actions)
        case .unregister(let unregister): self.unregister(unregister, session, into: &actions)
        case .call(let call): self.call(call, session, now: now, into: &actions)
        case .cancel(let cancel): self.cancel(cancel, session, into: &actions)
        case .yield(let yield): self.yield(yield, session, into: &actions)
        case .error(let error) where error.requestType == .invocation:
            self.calleeError(error, session, into: &actions)
        case .goodbye:
            leave(id, into: &actions)
            actions.append(.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)), to: connection))
            let deadline = now + helloTimeout
            connections[connection]?.phase = .awaitingHello(deadline: deadline)
            noteDeadline(deadline, of: connection, into: &actions)
        case .abort:
            leave(id, into: &actions)
            close(connection, into: &actions)
        case .error(let error):
            protocolViolation(on: connection, "a client may send ERROR only for an INVOCATION, not for \(error.requestType)", into: &actions)
        default:
            protocolViolation(on: connection, "a router never receives \(message.type)", into: &actions)
        }
    }

    // MARK: - Joining and leaving

    /// WELCOME.Details: the router's roles with the features it implements, and who the session is.
    static func welcomeDetails(_ identity: WAMPSessionIdentity) -> [String: WAMPValue] {
        [
            "roles": [
                "broker": ["features": [
                    "session_meta_api": true, "subscription_meta_api": true,
                    "publisher_identification": true, "publisher_exclusion": true,
                    "subscriber_blackwhite_listing": true, "pattern_based_subscription": true,
                ]],
                "dealer": ["features": [
                    "session_meta_api": true, "registration_meta_api": true,
                    "caller_identification": true, "pattern_based_registration": true, "shared_registration": true,
                    "progressive_call_results": true, "call_canceling": true, "call_timeout": true,
                ]],
            ],
            "realm": .string(identity.realm),
            "authid": .string(identity.authid),
            "authrole": .string(identity.authrole),
            "authmethod": .string(identity.authmethod),
            "authprovider": .string(identity.authprovider),
        ]
    }

    /// Removes session `id` from its realm: its subscriptions and registrations end, the callers
    /// of the invocations it serves get ERROR `wamp.error.canceled`, and the callees of the calls
    /// it made get INTERRUPT (when they announced `call_canceling`), and the realm's subscribers
    /// of the meta events get `on_unsubscribe`/`on_delete`, `on_unregister`/`on_delete` for each
    /// subscription and registration it held, then `wamp.session.on_leave` with its ID, authid and
    /// authrole. Nothing is sent to the session itself.
    mutating func leave(_ id: WAMPID, into actions: inout [RouterAction]) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        let realm = session.realm
        realms[realm]?.sessions.remove(id)
        for subscription in session.subscriptions.sorted() {
            detach(.subscription, subscription, of: id, in: realm, into: &actions)
        }
        for registration in session.registrations.sorted() {
            detach(.registration, registration, of: id, in: realm, into: &actions)
        }
        for invocation in session.invocations.sorted() {
            guard let ended = realms[realm]?.dealer.finish(invocation) else { continue }
            guard let caller = sessions[ended.caller] else { continue }
            sessions.withValueInPlace(ended.caller) { caller in
                caller.calls[ended.callRequest] = nil
                caller.callDeadlines[invocation] = nil
            }
            actions.append(.send(
                Self.error(.call, ended.callRequest, WAMPURI.canceled, "the callee left before answering"),
                to: caller.connection))
        }
        for invocation in session.calls.values.sorted() {
            guard let ended = realms[realm]?.dealer.finish(invocation) else { continue }
            sessions[ended.callee]?.invocations.remove(invocation)
            interrupt(ended, mode: "killnowait", reason: WAMPURI.canceled, into: &actions)
        }
        let identity = session.identity
        publishMetaEvent(
            "wamp.session.on_leave", [.integer(exactly: id), .string(identity.authid), .string(identity.authrole)],
            in: realm, into: &actions)
    }

    // MARK: - Shutdown

    /// Starts shutting down: every session gets GOODBYE `wamp.close.system_shutdown` and has
    /// the close grace period to answer; connections without a session are closed; no new
    /// connection is accepted.
    mutating func shutdown(now: ContinuousClock.Instant) -> [RouterAction] {
        isShuttingDown = true
        var actions: [RouterAction] = []
        let deadline = now + closeGracePeriod
        for (connection, entry) in connections.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            switch entry.phase {
            case .established:
                actions.append(.send(
                    .goodbye(.init(details: ["message": "the router is shutting down"], reason: WAMPURI.systemShutdown)),
                    to: connection))
                connections[connection]?.phase = .closing(deadline: deadline)
                noteDeadline(deadline, of: connection, into: &actions)
            case .awaitingHello, .authenticating:
                abort(connection, reason: WAMPURI.systemShutdown, "the router is shutting down", into: &actions)
            case .closing, .closed:
                break
            }
        }
        // Every session is leaving at once: nothing is routed any more, nobody is told.
        sessions.removeAll()
        for name in realms.keys {
            realms[name]?.sessions = []
            realms[name]?.broker = Broker()
            realms[name]?.dealer = Dealer()
        }
        return actions
    }

    // MARK: - Killing sessions

    /// Ends session `id` from the router's side (the meta procedures `wamp.session.kill` ...):
    /// it leaves its realm (``leave(_:into:)``), gets `goodbye`, and has the close grace period
    /// to answer with GOODBYE before its connection is closed.
    mutating func kill(_ id: WAMPID, with goodbye: WAMPMessage.Goodbye, now: ContinuousClock.Instant, into actions: inout [RouterAction]) {
        guard let connection = sessions[id]?.connection else { return }
        leave(id, into: &actions)
        actions.append(.send(.goodbye(goodbye), to: connection))
        let deadline = now + closeGracePeriod
        connections[connection]?.phase = .closing(deadline: deadline)
        noteDeadline(deadline, of: connection, into: &actions)
    }

    // MARK: - Closing and errors

    /// Marks `connection` closed and asks for it to be closed.
    mutating func close(_ connection: ConnectionID, into actions: inout [RouterAction]) {
        guard connections[connection] != nil else { return }
        connections[connection]?.phase = .closed
        connections[connection]?.pending = nil
        actions.append(.close(connection))
    }

    /// ABORT with `reason`, then close.
    mutating func abort(_ connection: ConnectionID, reason: String, _ text: String, into actions: inout [RouterAction]) {
        actions.append(.send(.abort(.init(details: ["message": .string(text)], reason: reason)), to: connection))
        close(connection, into: &actions)
    }

    /// The peer broke the protocol: its session leaves, it gets ABORT
    /// `wamp.error.protocol_violation` with `text`, and the connection is closed.
    mutating func protocolViolation(on connection: ConnectionID, _ text: String, into actions: inout [RouterAction]) {
        if case .established(let session)? = connections[connection]?.phase { leave(session, into: &actions) }
        abort(connection, reason: WAMPURI.protocolViolation, text, into: &actions)
    }

    /// The text of a refusal over a limit: `the session has 2 subscriptions, the limit
    /// (subscriptionsPerSession)`.
    static func overLimit(_ limit: Int, _ what: String, _ setting: String) -> String {
        "the session has \(limit) \(what), the limit (\(setting))"
    }

    /// What a session holds and ends with UNSUBSCRIBE or UNREGISTER.
    enum Held {
        case subscription, registration
    }

    /// UNSUBSCRIBE or UNREGISTER of the session's subscription or registration `id`: removed
    /// from the broker or dealer and acknowledged; ERROR `no_such_subscription` or
    /// `no_such_registration` when the session does not hold it.
    mutating func end(_ kind: Held, _ id: WAMPID, request: WAMPID, _ session: RouterSession, into actions: inout [RouterAction]) {
        let reply: WAMPMessage
        // The meta events follow the reply.
        var metaEvents: [RouterAction] = []
        switch kind {
        case .subscription where sessions[session.id]?.subscriptions.contains(id) == true:
            detach(.subscription, id, of: session.id, in: session.realm, into: &metaEvents)
            sessions[session.id]?.subscriptions.remove(id)
            reply = .unsubscribed(.init(request: request))
        case .registration where sessions[session.id]?.registrations.contains(id) == true:
            detach(.registration, id, of: session.id, in: session.realm, into: &metaEvents)
            sessions[session.id]?.registrations.remove(id)
            reply = .unregistered(.init(request: request))
        case .subscription:
            reply = Self.error(.unsubscribe, request, WAMPURI.noSuchSubscription, "the session has no subscription \(id)")
        case .registration:
            reply = Self.error(.unregister, request, WAMPURI.noSuchRegistration, "the session has no registration \(id)")
        }
        actions.append(.send(reply, to: session.connection))
        actions += metaEvents
    }

    /// An ERROR answering request `request` of type `type`, with `text` as its argument.
    static func error(_ type: WAMPMessageType, _ request: WAMPID, _ uri: String, _ text: String) -> WAMPMessage {
        .error(.init(requestType: type, request: request, error: uri, payload: .arguments([.string(text)], [:])))
    }
}
