import CoreMetrics
import Transport

/// A session's metrics through swift-metrics, with the realm as dimension: CALLs sent, ERRORs
/// and EVENTs received (see `WAMPMetricNames`). Made once per session; no-ops without a
/// bootstrapped backend.
struct WAMPSessionMetrics: Sendable {
    let calls: Counter
    let errors: Counter
    let events: Counter

    init(realm: String) {
        let dimensions = [(WAMPMetricNames.realm, realm)]
        calls = Counter(label: WAMPMetricNames.sessionCalls, dimensions: dimensions)
        errors = Counter(label: WAMPMetricNames.sessionErrors, dimensions: dimensions)
        events = Counter(label: WAMPMetricNames.sessionEvents, dimensions: dimensions)
    }

    /// Counts `message`, just received, when it is an ERROR or an EVENT.
    func received(_ message: WAMPMessage) {
        switch message {
        case .event: events.increment()
        case .error: errors.increment()
        default: break
        }
    }

    /// Counts `message`, just sent, when it is a CALL.
    func sent(_ message: WAMPMessage) {
        if case .call = message { calls.increment() }
    }
}
