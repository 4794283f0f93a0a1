import Transport

// The broker's part of the routing: SUBSCRIBE, UNSUBSCRIBE, PUBLISH.
extension RouterCore {
    /// SUBSCRIBE: SUBSCRIBED with the (new or shared) subscription's ID, created at `created`
    /// when it is the first, followed by the meta events `wamp.subscription.on_create` and
    /// `on_subscribe`.
    mutating func subscribe(
        _ subscribe: WAMPMessage.Subscribe, _ session: RouterSession, created: UTCTime, into actions: inout [RouterAction]
    ) {
        func reply(_ uri: String, _ text: String) {
            actions.append(.send(Self.error(.subscribe, subscribe.request, uri, text), to: session.connection))
        }
        let policy: URIMatchPolicy
        do {
            policy = try URIMatchPolicy(OptionReader(options: subscribe.options, messageType: .subscribe))
        } catch {
            return reply(WAMPURI.invalidArgument, error.message)
        }
        guard policy.isValidPattern(subscribe.topic) else {
            return reply(WAMPURI.invalidURI, "\"\(subscribe.topic)\" is not a valid topic for match \"\(policy.rawValue)\"")
        }
        let existing = realms[session.realm]?.broker.subscriptionID(subscribe.topic, policy)
        let isNew = existing.map { sessions[session.id]?.subscriptions.contains($0) != true } ?? true
        if isNew && (sessions[session.id]?.subscriptions.count ?? 0) >= limits.subscriptionsPerSession {
            return reply(WAMPRouter.limitExceededURI, Self.overLimit(
                limits.subscriptionsPerSession, "subscriptions", "subscriptionsPerSession"))
        }
        guard let id = realms[session.realm]?.broker.subscribe(session.id, to: subscribe.topic, policy, created: created)
        else { return }
        sessions[session.id]?.subscriptions.insert(id)
        actions.append(.send(.subscribed(.init(request: subscribe.request, subscription: id)), to: session.connection))
        if isNew { publishAttached(.subscription, id, of: session.id, isCreated: existing == nil, in: session.realm, into: &actions) }
    }

    /// UNSUBSCRIBE: ends one of the session's subscriptions (``end(_:_:request:_:into:)``).
    mutating func unsubscribe(_ unsubscribe: WAMPMessage.Unsubscribe, _ session: RouterSession, into actions: inout [RouterAction]) {
        end(.subscription, unsubscribe.subscription, request: unsubscribe.request, session, into: &actions)
    }

    /// Delivers an EVENT for each subscription matching the topic to each of its subscribers the
    /// publication's filter admits; PUBLISHED (or ERROR) to the publisher when it asked for an
    /// acknowledgement.
    mutating func publish(_ publish: WAMPMessage.Publish, _ session: RouterSession, into actions: inout [RouterAction]) {
        let acknowledge = publish.options["acknowledge"] == .bool(true)
        func reply(_ uri: String, _ text: String) {
            if acknowledge {
                actions.append(.send(Self.error(.publish, publish.request, uri, text), to: session.connection))
            }
        }
        guard URIMatchPolicy.isConcrete(publish.topic) else {
            return reply(WAMPURI.invalidURI, "\"\(publish.topic)\" is not a valid topic to publish to")
        }
        let options = OptionReader(options: publish.options, messageType: .publish)
        let filter: PublicationFilter
        let disclose: Bool
        do {
            filter = try PublicationFilter(options, publisher: session.id)
            disclose = try options.bool("disclose_me")
        } catch {
            return reply(WAMPURI.invalidArgument, error.message)
        }
        let publication = publicationIDs.nextID()
        var publisherDetails: [String: WAMPValue] = [:]
        if disclose {
            publisherDetails["publisher"] = .integer(exactly: session.id)
            publisherDetails["publisher_authid"] = .string(session.identity.authid)
            publisherDetails["publisher_authrole"] = .string(session.identity.authrole)
        }
        for subscription in realms.withValueInPlace(session.realm, { $0.broker.subscriptions(matching: publish.topic) }) ?? [] {
            var details = publisherDetails
            if subscription.policy != .exact { details["topic"] = .string(publish.topic) }
            let event = WAMPMessage.event(.init(
                subscription: subscription.id, publication: publication, details: details, payload: publish.payload))
            for subscriber in subscription.subscribers {
                let receiver = sessions.withValueInPlace(subscriber) { receiver in
                    filter.admits(subscriber, authid: receiver.identity.authid, authrole: receiver.identity.authrole)
                        ? receiver.connection : nil
                }
                guard let connection = receiver ?? nil else { continue }
                actions.append(.send(event, to: connection))
            }
        }
        if acknowledge {
            actions.append(.send(.published(.init(request: publish.request, publication: publication)), to: session.connection))
        }
    }
}
