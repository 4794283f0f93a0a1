import CoreMetrics
import Transport

/// One realm's router metrics through swift-metrics (see `WAMPMetricNames`): sessions joined
/// now, calls and events routed. Made once per realm, when its first session joins; no-ops
/// without a bootstrapped backend.
struct WAMPRouterRealmMetrics: Sendable {
    let sessions: Meter
    let callsRouted: Counter
    let eventsRouted: Counter

    init(realm: String) {
        let dimensions = [(WAMPMetricNames.realm, realm)]
        sessions = Meter(label: WAMPMetricNames.routerSessions, dimensions: dimensions)
        callsRouted = Counter(label: WAMPMetricNames.routerCallsRouted, dimensions: dimensions)
        eventsRouted = Counter(label: WAMPMetricNames.routerEventsRouted, dimensions: dimensions)
    }

    /// A session joined the realm.
    func joined() { sessions.increment() }

    /// A session of the realm ended.
    func left() { sessions.decrement() }

    /// A call was routed to a callee.
    func routedCall() { callsRouted.increment() }

    /// An event was delivered to a subscriber.
    func routedEvent() { eventsRouted.increment() }
}
