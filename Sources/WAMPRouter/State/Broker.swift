import Transport

/// The broker of one realm as pure state: its subscriptions and their subscribers, matched by
/// pattern. Many sessions subscribing to the same topic with the same `match` policy share one
/// subscription and its ID.
struct Broker: Sendable {
    /// One subscription: a topic or pattern and the sessions subscribed to it.
    struct Subscription: Sendable {
        let id: WAMPID
        let topic: String
        let policy: URIMatchPolicy
        /// When the first subscriber created it (the meta API's `created`).
        let created: UTCTime
        var subscribers: Set<WAMPID> = []
    }

    private(set) var subscriptions: [WAMPID: Subscription] = [:]
    private var index = URIPatternIndex()
    private var ids = SequentialIDs()

    /// The ID of the subscription to `topic` under `policy`, if there is one.
    func subscriptionID(_ topic: String, _ policy: URIMatchPolicy) -> WAMPID? {
        index.id(of: topic, policy)
    }

    /// Subscribes `session` to `topic` under `policy`, creating the subscription at time
    /// `created` when it is the first; returns the subscription's ID. Subscribing again returns
    /// the same ID.
    mutating func subscribe(_ session: WAMPID, to topic: String, _ policy: URIMatchPolicy, created: UTCTime) -> WAMPID {
        let id: WAMPID
        if let existing = index.id(of: topic, policy) {
            id = existing
        } else {
            id = ids.next { subscriptions[$0] != nil }
            subscriptions[id] = Subscription(id: id, topic: topic, policy: policy, created: created)
            index.insert(topic, policy, id: id)
        }
        subscriptions[id]?.subscribers.insert(session)
        return id
    }

    /// Removes `session` from subscription `id`, deleting the subscription once it has no
    /// subscriber; `false` when the session was not subscribed to it.
    @discardableResult
    mutating func unsubscribe(_ session: WAMPID, from id: WAMPID) -> Bool {
        guard subscriptions[id]?.subscribers.remove(session) != nil else { return false }
        if let subscription = subscriptions[id], subscription.subscribers.isEmpty {
            subscriptions[id] = nil
            index.remove(subscription.topic, subscription.policy)
        }
        return true
    }

    /// The subscriptions an event published to `topic` goes to.
    func subscriptions(matching topic: String) -> [Subscription] {
        index.matches(topic).compactMap { subscriptions[$0.id] }
    }
}
