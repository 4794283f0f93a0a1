import CoreMetrics

/// The per-message metrics of one connection: messages and octets in and out, with the
/// transport's dimensions and the serializer's. Made once per connection; recording is an
/// increment of counters made beforehand (with no backend, a call into swift-metrics' no-op
/// handler).
package struct MessageMetrics: Sendable {
    let messagesIn: Counter
    let messagesOut: Counter
    let octetsIn: Counter
    let octetsOut: Counter

    init(dimensions: [(String, String)]) {
        messagesIn = Counter(label: WAMPMetricNames.messagesIn, dimensions: dimensions)
        messagesOut = Counter(label: WAMPMetricNames.messagesOut, dimensions: dimensions)
        octetsIn = Counter(label: WAMPMetricNames.octetsIn, dimensions: dimensions)
        octetsOut = Counter(label: WAMPMetricNames.octetsOut, dimensions: dimensions)
    }

    /// A message of `octets` (its serialized payload) was received.
    @inline(__always)
    func received(octets: Int) {
        messagesIn.increment()
        octetsIn.increment(by: octets)
    }

    /// A message of `octets` (its serialized payload) was sent.
    @inline(__always)
    package func sent(octets: Int) {
        messagesOut.increment()
        octetsOut.increment(by: octets)
    }
}
