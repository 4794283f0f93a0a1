import Transport

// The WAMP meta API the router serves itself in every realm: the session, registration and
// subscription meta procedures (answered at once with RESULT or ERROR, no callee involved) and
// the meta events `wamp.session.on_join` and `wamp.session.on_leave`.
extension RouterCore {
    /// The meta procedures the router answers, by URI.
    static let metaProcedures: Set<String> = [
        "wamp.session.count", "wamp.session.list", "wamp.session.get",
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

    /// The answer to a CALL of a meta procedure in the caller's realm: RESULT, or ERROR
    /// (`wamp.error.no_such_session`, `no_such_registration`, `no_such_subscription`,
    /// `invalid_argument`); `nil` when `call.procedure` is not a meta procedure.
    func metaReply(to call: WAMPMessage.Call, from session: RouterSession) -> WAMPMessage? {
        guard Self.metaProcedures.contains(call.procedure), let realm = realms[session.realm] else { return nil }
        do throws(MetaRefusal) {
            let result = try metaResult(call.procedure, call.payload.args, in: realm)
            return .result(.init(request: call.request, payload: .arguments([result], [:])))
        } catch {
            return Self.error(.call, call.request, error.uri, error.text)
        }
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
            case "wamp.registration.get":
                return ["id": .integer(exactly: id), "uri": .string(registration.procedure),
                        "match": .string(registration.policy.rawValue), "invoke": .string(registration.invoke.rawValue)]
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
            case "wamp.subscription.get":
                return ["id": .integer(exactly: id), "uri": .string(subscription.topic),
                        "match": .string(subscription.policy.rawValue)]
            case "wamp.subscription.list_subscribers":
                return .list(subscription.subscribers.sorted().map { .integer(exactly: $0) })
            default: return .integer(exactly: UInt64(subscription.subscribers.count))
            }
        }
    }

    /// The realm's session IDs, sorted, with the authrole in the optional list `args[0]`
    /// (`filter_authroles`) when given.
    private func sessions(in realm: RealmState, _ args: [WAMPValue]) throws(MetaRefusal) -> [WAMPID] {
        var roles: Set<String>?
        switch args.first {
        case nil, .null?: roles = nil
        case .list(let list)?:
            roles = []
            for case .string(let role) in list { roles?.insert(role) }
            guard roles?.count == list.count else {
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

    /// Publishes the meta event `topic` with `args` in `realm`, from the router: an EVENT to
    /// each subscriber of each matching subscription.
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
