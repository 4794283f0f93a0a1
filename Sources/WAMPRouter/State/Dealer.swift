import Transport

/// The dealer of one realm as pure state: its registrations (pattern-based and shared), and the
/// invocations in flight, each linking a caller's CALL to a callee's INVOCATION. Which
/// invocation a caller's CALL request became is kept with the caller's session
/// (``RouterSession/calls``).
struct Dealer: Sendable {
    /// A session registered on a registration.
    struct Callee: Hashable, Sendable {
        let session: WAMPID
        /// The callee asked for the caller's identity in every INVOCATION (`disclose_caller`).
        let discloseCaller: Bool
    }

    /// One registration: a procedure or pattern and its callees, shared when its policy allows.
    struct Registration: Sendable {
        let id: WAMPID
        let procedure: String
        let policy: URIMatchPolicy
        let invoke: InvocationPolicy
        /// When the first callee created it (the meta API's `created`).
        let created: UTCTime
        /// The callees in the order they registered.
        var callees: [Callee] = []
        /// The round-robin position.
        var cursor = 0
    }

    /// A call in flight.
    struct Invocation: Sendable {
        /// The INVOCATION's request ID, chosen by the dealer.
        let id: WAMPID
        let caller: WAMPID
        /// The CALL's request ID, chosen by the caller.
        let callRequest: WAMPID
        let callee: WAMPID
        /// The caller asked for progressive results.
        let receiveProgress: Bool
        /// CANCEL with mode `kill` was forwarded: the caller waits for the callee's answer.
        var interrupted = false
    }

    /// Why a REGISTER failed.
    enum RegisterError: Error, Hashable {
        /// The procedure is registered with the `single` policy, or by this session already.
        case alreadyExists
        /// The procedure is registered with another invocation policy.
        case differentPolicy(InvocationPolicy)
    }

    private(set) var registrations: [WAMPID: Registration] = [:]
    private(set) var invocations = AssignedIDMap<Invocation>()
    private var index = URIPatternIndex()
    private var registrationIDs = SequentialIDs()
    private var invocationIDs = SequentialIDs()

    /// Registers `callee` for `procedure`, joining the existing registration when its
    /// invocation policy is shared and the same as `invoke`, or creating one at time `created`;
    /// returns the registration's ID.
    mutating func register(
        _ callee: Callee, for procedure: String, _ policy: URIMatchPolicy, invoke: InvocationPolicy, created: UTCTime
    ) throws(RegisterError) -> WAMPID {
        if let id = index.id(of: procedure, policy), let existing = registrations[id] {
            guard existing.invoke != .single, !existing.callees.contains(where: { $0.session == callee.session }) else {
                throw .alreadyExists
            }
            guard existing.invoke == invoke else { throw .differentPolicy(existing.invoke) }
            registrations[id]?.callees.append(callee)
            return id
        }
        let id = registrationIDs.next { registrations[$0] != nil }
        registrations[id] = Registration(
            id: id, procedure: procedure, policy: policy, invoke: invoke, created: created, callees: [callee])
        index.insert(procedure, policy, id: id)
        return id
    }

    /// Removes `session` from registration `id`, deleting the registration once it has no
    /// callee; `false` when the session was not registered on it. Invocations in flight go on.
    @discardableResult
    mutating func unregister(_ session: WAMPID, from id: WAMPID) -> Bool {
        guard var registration = registrations[id],
              let position = registration.callees.firstIndex(where: { $0.session == session })
        else { return false }
        registration.callees.remove(at: position)
        if registration.callees.isEmpty {
            registrations[id] = nil
            index.remove(registration.procedure, registration.policy)
        } else {
            if position < registration.cursor { registration.cursor -= 1 }
            registrations[id] = registration
        }
        return true
    }

    /// Where a call goes: its registration's ID and match policy, and the callee picked by the
    /// registration's invocation policy.
    struct Route {
        let registration: WAMPID
        let policy: URIMatchPolicy
        let callee: Callee
    }

    /// The route of a call to `procedure`: the best-matching registration, and the callee its
    /// policy picks (moving its round-robin position in place: one lookup, no copy of the
    /// registration's procedure and callees).
    mutating func route(_ procedure: String, using random: inout some RandomNumberGenerator) -> Route? {
        guard let id = index.bestMatch(procedure)?.id else { return nil }
        return registrations.withValueInPlace(id) { registration -> Route? in
            guard !registration.callees.isEmpty else { return nil }
            let position = registration.invoke.pick(
                among: registration.callees.count, cursor: &registration.cursor, using: &random)
            return Route(registration: id, policy: registration.policy, callee: registration.callees[position])
        } ?? nil
    }

    /// Records a new invocation and returns it with its INVOCATION request ID.
    mutating func startInvocation(
        caller: WAMPID, callRequest: WAMPID, callee: WAMPID, receiveProgress: Bool
    ) -> Invocation {
        let id = invocationIDs.next { invocations[$0] != nil }
        let invocation = Invocation(
            id: id, caller: caller, callRequest: callRequest, callee: callee, receiveProgress: receiveProgress)
        invocations[id] = invocation
        return invocation
    }

    /// Marks invocation `id` as interrupted with mode `kill`.
    mutating func markInterrupted(_ id: WAMPID) {
        invocations[id]?.interrupted = true
    }

    /// Ends invocation `id` and returns it; `nil` when it is not in flight.
    @discardableResult
    mutating func finish(_ id: WAMPID) -> Invocation? {
        invocations.removeValue(forKey: id)
    }

    /// The ID of the registration of `procedure` under `policy`, if there is one.
    func registrationID(_ procedure: String, _ policy: URIMatchPolicy) -> WAMPID? {
        index.id(of: procedure, policy)
    }

    /// The ID of the registration a CALL to `procedure` would be routed to.
    func bestMatch(_ procedure: String) -> WAMPID? {
        index.bestMatch(procedure)?.id
    }
}
