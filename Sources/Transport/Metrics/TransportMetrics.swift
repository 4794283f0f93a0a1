import CoreMetrics
package import NIOCore

/// The metrics of one transport on one side (a server, or one client connection), recorded
/// through swift-metrics: written once here and used by RawSocket and WebSocket alike.
///
/// The metrics on every path that is not per message (connections, refusals, PINGs) are made
/// once, when the server or client connection is made, so that recording a value never goes
/// through the metrics factory; the rarer ones whose dimensions vary (a refusal reason, an
/// error code) are made when they happen. The per-message ones are in ``MessageMetrics``, made
/// per connection once its serializer is known.
///
/// Without a bootstrapped backend every metric is swift-metrics' no-op handler.
package struct TransportMetrics: Sendable {
    /// Which side of the connection records.
    package enum Role: String, Sendable {
        case server, client
    }

    /// `transport`, `role` and the configuration's extra dimensions, in that order.
    package let dimensions: [(String, String)]
    let connectionsOpened: Counter
    let connectionsClosed: Counter
    let connections: Meter
    let pingsSentTotal: Counter
    let pingsUnansweredTotal: Counter

    /// - Parameters:
    ///   - transport: the `transport` dimension (`rawsocket`, `websocket`, `universal`).
    ///   - role: the `role` dimension.
    ///   - extraDimensions: `WAMPConnectionSettings.metricsDimensions`, added to every metric.
    package init(transport: String, role: Role, extraDimensions: [(String, String)] = []) {
        let dimensions = [(WAMPMetricNames.transport, transport), (WAMPMetricNames.role, role.rawValue)] + extraDimensions
        self.dimensions = dimensions
        connectionsOpened = Counter(label: WAMPMetricNames.connectionsOpened, dimensions: dimensions)
        connectionsClosed = Counter(label: WAMPMetricNames.connectionsClosed, dimensions: dimensions)
        connections = Meter(label: WAMPMetricNames.connections, dimensions: dimensions)
        pingsSentTotal = Counter(label: WAMPMetricNames.pingsSent, dimensions: dimensions)
        pingsUnansweredTotal = Counter(label: WAMPMetricNames.pingsUnanswered, dimensions: dimensions)
    }

    /// A connection was admitted: counts it and, when it closes, counts that too.
    package func opened(_ channel: any Channel) {
        connectionsOpened.increment()
        connections.increment()
        let connectionsClosed = self.connectionsClosed
        let connections = self.connections
        channel.closeFuture.whenComplete { _ in
            connectionsClosed.increment()
            connections.decrement()
        }
    }

    /// A connection was refused before its handshake, for `reason`.
    package func refused(reason: String) {
        Counter(label: WAMPMetricNames.connectionsRefused, dimensions: dimensions + [(WAMPMetricNames.reason, reason)])
            .increment()
    }

    /// An opening handshake failed or was refused, with `code`.
    package func handshakeFailed(code: String) {
        Counter(label: WAMPMetricNames.handshakeFailures, dimensions: dimensions + [(WAMPMetricNames.code, code)])
            .increment()
    }

    /// A protocol error with `code` ended a connection after its handshake.
    package func protocolError(code: String) {
        Counter(label: WAMPMetricNames.protocolErrors, dimensions: dimensions + [(WAMPMetricNames.code, code)])
            .increment()
    }

    /// A keepalive PING was sent.
    package func pingSent() {
        pingsSentTotal.increment()
    }

    /// The connection is given up with `count` PINGs unanswered.
    package func pingsUnanswered(_ count: Int) {
        pingsUnansweredTotal.increment(by: count)
    }

    /// The per-message metrics of a connection using `serializer`.
    package func messages(serializer: WAMPSerializerID) -> MessageMetrics {
        MessageMetrics(dimensions: dimensions + [(WAMPMetricNames.serializer, serializer.name)])
    }
}
