import Transport

// The WAMP meta API the router serves itself in every realm: the session, registration and
// subscription meta procedures (answered at once with RESULT or ERROR, no callee involved), the
// session kill procedures, and the meta events.
//
// Checked against the WAMP spec (wamp-proto/wamp-proto, rfc/text/advanced/
// ap_session_meta_api.md, ap_rpc_registration_meta_api.md, ap_pubsub_subscription_meta_api.md)
// and Crossbar (crossbario/crossbar, crossbar/router/service.py for the procedures,
// crossbar/router/broker.py for when the subscription events are published):
//
// - wamp.session.count / list ([filter_authroles|list[string]]) → count|int / [id]; get(id) →
//   {session, authid, authrole, authmethod, authprovider} (`transport` is optional and not
//   sent), else wamp.error.no_such_session.
// - wamp.session.kill(id, reason=, message=) → no result; the caller's own ID or an unknown one
//   is wamp.error.no_such_session. kill_by_authid(authid) / kill_by_authrole(authrole) /
//   kill_all() → count|int of the sessions closed, never the caller (Crossbar returns the list
//   of IDs; the spec says the count). `reason` and `message` are keyword arguments: GOODBYE
//   with Reason `reason` (default wamp.close.normal) and Details.message when given; a reason
//   that is not a URI is wamp.error.invalid_uri. kill_all publishes on_leave like the others
//   (the spec expects no subscriber to remain, but the caller does).
// - wamp.registration.list / wamp.subscription.list → {exact: [id], prefix: [id], wildcard: [id]};
//   lookup(uri, [options]) → id or null, the `match` option as in REGISTER/SUBSCRIBE (exact by
//   default); registration.match(uri) → the id a CALL would go to, or null;
//   subscription.match(uri) → [id] of every matching subscription, or null;
//   get(id) → {id, created, uri, match} and for registrations also `invoke`, `created` in
//   ISO 8601 UTC with milliseconds; list_callees / list_subscribers(id) → [session id];
//   count_callees / count_subscribers(id) → count|int; unknown IDs:
//   wamp.error.no_such_registration / no_such_subscription.
// - Events, each published to the realm of the session that caused it:
//   wamp.session.on_join [details as session.get], on_leave [session, authid, authrole];
//   wamp.registration.on_create [session, RegistrationDetails], on_register [session, id],
//   on_unregister [session, id], on_delete [session, id]; wamp.subscription.on_create,
//   on_subscribe, on_unsubscribe, on_delete the same with SubscriptionDetails. on_create comes
//   before on_register/on_subscribe, on_unregister/on_unsubscribe before on_delete, and all of
//   them after the REGISTERED/SUBSCRIBED/UNREGISTERED/UNSUBSCRIBED they follow. A leaving
//   session's registrations and subscriptions end with their events before on_leave.
// - As Crossbar does, subscriptions to topics under `wamp.` (the meta events themselves) have
//   no subscription meta events: subscribing to wamp.subscription.on_subscribe does not
//   announce itself, so a meta subscriber never feeds on its own subscriptions.

extension RouterCore {
    /// The meta procedures the router answers, by URI.
    static let metaProcedures: Set<String> = [
        "wamp.session.count", "wamp.session.list", "wamp.session.get",
        "wamp.session.kill", "wamp.session.kill_by_authid", "wamp.session.kill_by_authrole", "wamp.session.kill_all",
        "wamp.registration.list", "wamp.registration.lookup", "wamp.registration.match", "wamp.registration.get",
        "wamp.registration.list_callees", "wamp.registration.count_callees",
        "wamp.subscription.list", "wamp.subscription.lookup", "wamp.subscription.match", "wamp.subscription.get",
        "wamp.subscription.list_subscribers", "wamp.subscription.count_subscribers",
    ]

    /// A meta procedure's refusal: the error URI and the text sent as its argument.
    private struct MetaRefusal: Error {
        let uri: String
        let text: String
    }

    /// Answers a CALL of a meta procedure in the caller's realm: RESULT, or ERROR
    /// (`wamp.error.no_such_session`, `no_such_registration`, `no_such_subscription`,
    /// `invalid_argument`, `invalid_uri`); the kill procedures also end the sessions they name
    /// (``kill(_:with:now:into:)``). `false` when `call.procedure` is not a meta procedure.
    mutating func answerMetaCall(
        _ call: WAMPMessage.Call, _ session: RouterSession, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) -> Bool {
        // Every meta procedure is under `wamp.`: other calls skip the set's hashing.
        guard call.procedure.utf8.starts(with: "wamp.".utf8), Self.metaProcedures.contains(call.procedure),
              let realm = realms[session.realm]
        else { return false }
        let reply: WAMPMessage
        do throws(MetaRefusal) {
            let results: [WAMPValue]
            if call.procedure.hasPrefix("wamp.session.kill") {
                results = try kill(call, by: session, now: now, into: &actions)
            } else {
                results = [try metaResult(call.procedure, call.payload.args, in: realm)]
            }
            reply = .result(.init(request: call.request, payload: .arguments(results, [:])))
        } catch {
            reply = Self.error(.call, call.request, error.uri, error.text)
        }
        actions.append(.send(reply, to: session.connection))
        return true
    }

    private func metaResult(_ procedure: String, _ args: [WAMPValue], in realm: RealmState) throws(MetaRefusal) -> WAMPValue {
        let dealer = realm.dealer
        let broker = realm.broker
        switch procedure {
        case "wamp.session.count":
            return .integer(exactly: UInt64(try sessions(in: realm, args).count))
        case "wamp.session.list":
            return .list(try sessions(in: realm, args).map { .integer(exactly: $0) })
        case "wamp.session.get":
            let id = try Self.id(args, "session")
            guard realm.sessions.contains(id), let found = sessions[id] else {
                throw MetaRefusal(uri: WAMPURI.noSuchSession, text: "no session \(id) in this realm")
            }
            return .dict(Self.sessionDetails(found.identity))
        case "wamp.registration.list":
            return Self.listByPolicy(dealer.registrations.values.map { ($0.id, $0.policy) })
        case "wamp.registration.lookup":
            let (uri, policy) = try Self.lookupArguments(args, "procedure")
            return dealer.registrationID(uri, policy).map { .integer(exactly: $0) } ?? .null
        case "wamp.registration.match":
            return dealer.bestMatch(try Self.uri(args, "procedure")).map { .integer(exactly: $0) } ?? .null
        case "wamp.registration.get", "wamp.registration.list_callees", "wamp.registration.count_callees":
            let id = try Self.id(args, "registration")
            guard let registration = dealer.registrations[id] else {
                throw MetaRefusal(uri: WAMPURI.noSuchRegistration, text: "no registration \(id) in this realm")
            }
            let callees = registration.callees.map(\.session)
            switch procedure {
            case "wamp.registration.get": return .dict(Self.registrationDetails(registration))
            case "wamp.registration.list_callees": return .list(callees.map { .integer(exactly: $0) })
            default: return .integer(exactly: UInt64(callees.count))
            }
        case "wamp.subscription.list":
            return Self.listByPolicy(broker.subscriptions.values.map { ($0.id, $0.policy) })
        case "wamp.subscription.lookup":
            let (uri, policy) = try Self.lookupArguments(args, "topic")
            return broker.subscriptionID(uri, policy).map { .integer(exactly: $0) } ?? .null
        case "wamp.subscription.match":
            let matching = broker.subscriptions(matching: try Self.uri(args, "topic")).map(\.id).sorted()
            return matching.isEmpty ? .null : .list(matching.map { .integer(exactly: $0) })
        default:  // wamp.subscription.get, list_subscribers, count_subscribers
            let id = try Self.id(args, "subscription")
            guard let subscription = broker.subscriptions[id] else {
                throw MetaRefusal(uri: WAMPURI.noSuchSubscription, text: "no subscription \(id) in this realm")
            }
            switch procedure {
            case "wamp.subscription.get": return .dict(Self.subscriptionDetails(subscription))
            case "wamp.subscription.list_subscribers":
                return .list(subscription.subscribers.sorted().map { .integer(exactly: $0) })
            default: return .integer(exactly: UInt64(subscription.subscribers.count))
            }
        }
    }

    // MARK: - Killing sessions

    /// `wamp.session.kill`, `kill_by_authid`, `kill_by_authrole`, `kill_all`: checks every
    /// argument, then ends the sessions named (never the caller) with GOODBYE; returns the
    /// RESULT's arguments (none for `kill`, the count of sessions ended for the others).
    private mutating func kill(
        _ call: WAMPMessage.Call, by caller: RouterSession, now: ContinuousClock.Instant, into actions: inout [RouterAction]
    ) throws(MetaRefusal) -> [WAMPValue] {
        let goodbye = try Self.goodbye(call.payload.kwargs)
        let args = call.payload.args
        let others = (realms[caller.realm]?.sessions ?? []).filter { $0 != caller.id }.sorted().compactMap { sessions[$0] }
        let victims: [WAMPID]
        switch call.procedure {
        case "wamp.session.kill":
            let id = try Self.id(args, "session")
            guard others.contains(where: { $0.id == id }) else {
                throw MetaRefusal(uri: WAMPURI.noSuchSession, text: "no other session \(id) in this realm")
            }
            victims = [id]
        case "wamp.session.kill_by_authid":
            let authid = try Self.string(args, "authid")
            victims = others.filter { $0.identity.authid == authid }.map(\.id)
        case "wamp.session.kill_by_authrole":
            let authrole = try Self.string(args, "authrole")
            victims = others.filter { $0.identity.authrole == authrole }.map(\.id)
        default:  // wamp.session.kill_all
            victims = others.map(\.id)
        }
        for victim in victims { kill(victim, with: goodbye, now: now, into: &actions) }
        return call.procedure == "wamp.session.kill" ? [] : [.integer(exactly: UInt64(victims.count))]
    }

    /// The GOODBYE of the kill procedures' keyword arguments `reason` (a URI, default
    /// `wamp.close.normal`) and `message` (a string in `Details.message`, omitted by default).
    private static func goodbye(_ kwargs: [String: WAMPValue]) throws(MetaRefusal) -> WAMPMessage.Goodbye {
        var details: [String: WAMPValue] = [:]
        switch kwargs["message"] {
        case nil, .null?: break
        case .string(let message)?: details["message"] = .string(message)
        case let other?: throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "message must be a string, not \(other)")
        }
        switch kwargs["reason"] {
        case nil, .null?:
            return .init(details: details, reason: WAMPURI.closeNormal)
        case .string(let reason)? where WAMPURI.isLooselyValid(reason) && URIMatchPolicy.isConcrete(reason):
            return .init(details: details, reason: reason)
        case let other?:
            throw MetaRefusal(uri: WAMPURI.invalidURI, text: "reason must be a non-empty URI, not \(other)")
        }
    }

    // MARK: - Arguments

    /// The realm's session IDs, sorted, with the authrole in the optional list `args[0]`
    /// (`filter_authroles`) when given.
    private func sessions(in realm: RealmState, _ args: [WAMPValue]) throws(MetaRefusal) -> [WAMPID] {
        var roles: Set<String>?
        switch args.first {
        case nil, .null?: roles = nil
        case .list(let list)?:
            roles = []
            for case .string(let role) in list { roles?.insert(role) }
            guard roles?.count == Set(list).count else {
                throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "filter_authroles must be a list of strings")
            }
        case let other?:
            throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "filter_authroles must be a list of strings, not \(other)")
        }
        return realm.sessions.filter { id in
            roles.map { roles in sessions[id].map { roles.contains($0.identity.authrole) } ?? false } ?? true
        }.sorted()
    }

    /// `{"exact": [IDs], "prefix": [IDs], "wildcard": [IDs]}`, each list sorted.
    private static func listByPolicy(_ entries: [(WAMPID, URIMatchPolicy)]) -> WAMPValue {
        var result: [String: WAMPValue] = [:]
        for policy in URIMatchPolicy.allCases {
            result[policy.rawValue] = .list(entries.filter { $0.1 == policy }.map(\.0).sorted().map { .integer(exactly: $0) })
        }
        return .dict(result)
    }

    /// The ID in `args[0]`, named `name` in the refusal.
    private static func id(_ args: [WAMPValue], _ name: String) throws(MetaRefusal) -> WAMPID {
        switch args.first {
        case .integer(let value)? where value >= 0: return WAMPID(value)
        case .unsignedInteger(let value)?: return value
        default: throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "the first argument must be the \(name) ID")
        }
    }

    /// The string in `args[0]`, named `name` in the refusal.
    private static func string(_ args: [WAMPValue], _ name: String) throws(MetaRefusal) -> String {
        guard case .string(let value)? = args.first else {
            throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "the first argument must be the \(name), a string")
        }
        return value
    }

    /// The URI in `args[0]`, named `name` in the refusal.
    private static func uri(_ args: [WAMPValue], _ name: String) throws(MetaRefusal) -> String {
        guard case .string(let uri)? = args.first else {
            throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "the first argument must be the \(name) URI")
        }
        return uri
    }

    /// The URI in `args[0]` and the `match` policy of the options dict in `args[1]` (`exact`
    /// when absent).
    private static func lookupArguments(_ args: [WAMPValue], _ name: String) throws(MetaRefusal) -> (String, URIMatchPolicy) {
        let uri = try uri(args, name)
        let options: [String: WAMPValue]
        switch args.dropFirst().first {
        case nil, .null?: options = [:]
        case .dict(let dict)?: options = dict
        case let other?: throw MetaRefusal(uri: WAMPURI.invalidArgument, text: "the options must be a dict, not \(other)")
        }
        do {
            return (uri, try URIMatchPolicy(OptionReader(options: options, messageType: .call)))
        } catch {
            throw MetaRefusal(uri: WAMPURI.invalidArgument, text: error.message)
        }
    }

    // MARK: - Details

    /// A session's details as `wamp.session.get` and `wamp.session.on_join` give them.
    static func sessionDetails(_ identity: WAMPSessionIdentity) -> [String: WAMPValue] {
        [
            "session": .integer(exactly: identity.session),
            "authid": .string(identity.authid),
            "authrole": .string(identity.authrole),
            "authmethod": .string(identity.authmethod),
            "authprovider": .string(identity.authprovider),
        ]
    }

    /// RegistrationDetails as `wamp.registration.get` and `on_create` give them.
    static func registrationDetails(_ registration: Dealer.Registration) -> [String: WAMPValue] {
        [
            "id": .integer(exactly: registration.id), "created": .string(registration.created.iso8601),
            "uri": .string(registration.procedure), "match": .string(registration.policy.rawValue),
            "invoke": .string(registration.invoke.rawValue),
        ]
    }

    /// SubscriptionDetails as `wamp.subscription.get` and `on_create` give them.
    static func subscriptionDetails(_ subscription: Broker.Subscription) -> [String: WAMPValue] {
        [
            "id": .integer(exactly: subscription.id), "created": .string(subscription.created.iso8601),
            "uri": .string(subscription.topic), "match": .string(subscription.policy.rawValue),
        ]
    }

    // MARK: - Meta events

    /// Whether subscription or registration meta events are published for `uri`: not for
    /// topics under `wamp.`, so that subscribing to the meta events announces nothing.
    private static func announces(_ uri: String) -> Bool {
        !uri.hasPrefix("wamp.")
    }

    /// Session `session` was added to subscription or registration `id` (created for it when
    /// `isCreated`): `on_create` (when created), then `on_subscribe` or `on_register`.
    mutating func publishAttached(
        _ kind: Held, _ id: WAMPID, of session: WAMPID, isCreated: Bool, in realm: String, into actions: inout [RouterAction]
    ) {
        let details: [String: WAMPValue]
        let prefix: String
        switch kind {
        case .subscription:
            guard let subscription = realms[realm]?.broker.subscriptions[id] else { return }
            (details, prefix) = (Self.subscriptionDetails(subscription), "wamp.subscription.")
            guard Self.announces(subscription.topic) else { return }
        case .registration:
            guard let registration = realms[realm]?.dealer.registrations[id] else { return }
            (details, prefix) = (Self.registrationDetails(registration), "wamp.registration.")
            guard Self.announces(registration.procedure) else { return }
        }
        if isCreated {
            publishMetaEvent(prefix + "on_create", [.integer(exactly: session), .dict(details)], in: realm, into: &actions)
        }
        publishMetaEvent(
            prefix + (kind == .subscription ? "on_subscribe" : "on_register"), [.integer(exactly: session), .integer(exactly: id)],
            in: realm, into: &actions)
    }

    /// Removes `session` from subscription or registration `id` in the broker or dealer (not
    /// from the session's record) and publishes `on_unsubscribe` or `on_unregister`, then
    /// `on_delete` when it was the last.
    mutating func detach(_ kind: Held, _ id: WAMPID, of session: WAMPID, in realm: String, into actions: inout [RouterAction]) {
        let uri: String?
        let removed: Bool
        let deleted: Bool
        switch kind {
        case .subscription:
            uri = realms[realm]?.broker.subscriptions[id]?.topic
            removed = realms[realm]?.broker.unsubscribe(session, from: id) ?? false
            deleted = realms[realm]?.broker.subscriptions[id] == nil
        case .registration:
            uri = realms[realm]?.dealer.registrations[id]?.procedure
            removed = realms[realm]?.dealer.unregister(session, from: id) ?? false
            deleted = realms[realm]?.dealer.registrations[id] == nil
        }
        guard removed, let uri, Self.announces(uri) else { return }
        let prefix = kind == .subscription ? "wamp.subscription." : "wamp.registration."
        let args: [WAMPValue] = [.integer(exactly: session), .integer(exactly: id)]
        publishMetaEvent(prefix + (kind == .subscription ? "on_unsubscribe" : "on_unregister"), args, in: realm, into: &actions)
        if deleted { publishMetaEvent(prefix + "on_delete", args, in: realm, into: &actions) }
    }

    /// Publishes the meta event `topic` with `args` in `realm`, from the router: an EVENT to
    /// each subscriber of each matching subscription. Receiving an EVENT makes the router do
    /// nothing more, so no meta event leads to another.
    mutating func publishMetaEvent(_ topic: String, _ args: [WAMPValue], in realm: String, into actions: inout [RouterAction]) {
        let subscriptions = realms[realm]?.broker.subscriptions(matching: topic) ?? []
        guard !subscriptions.isEmpty else { return }
        let publication = WAMPID.random(in: WAMPID.wampRange, using: &random)
        for subscription in subscriptions {
            let details: [String: WAMPValue] = subscription.policy == .exact ? [:] : ["topic": .string(topic)]
            let event = WAMPMessage.event(.init(
                subscription: subscription.id, publication: publication, details: details, payload: .arguments(args, [:])))
            for subscriber in subscription.subscribers.sorted() {
                guard let receiver = sessions[subscriber] else { continue }
                actions.append(.send(event, to: receiver.connection))
            }
        }
    }
}
