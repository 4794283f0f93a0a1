/// The labels of the metrics this library records through swift-metrics, and the names of
/// their dimensions. The table in the Metrics article says which type each metric is and
/// which dimensions it carries.
///
/// Nothing is recorded anywhere unless the application bootstraps a backend
/// (`MetricsSystem.bootstrap(_:)`, before the servers, clients, sessions and routers are
/// made): without one, swift-metrics' no-op handler takes every value.
public enum WAMPMetricNames {
    // MARK: Transport (RawSocket, WebSocket, the universal server)

    /// Counter: connections a server accepted and admitted (handshakes included).
    public static let connectionsOpened = "wamp_transport_connections_opened_total"
    /// Counter: admitted connections that closed, for any reason.
    public static let connectionsClosed = "wamp_transport_connections_closed_total"
    /// Counter: connections a server refused before their handshake, by ``reason``.
    public static let connectionsRefused = "wamp_transport_connections_refused_total"
    /// Meter: the connections a server has open now (handshakes included).
    public static let connections = "wamp_transport_connections"
    /// Counter: WAMP messages received, per transport and serializer.
    public static let messagesIn = "wamp_transport_messages_in_total"
    /// Counter: WAMP messages sent, per transport and serializer.
    public static let messagesOut = "wamp_transport_messages_out_total"
    /// Counter: octets of the WAMP messages received (serialized payloads, without framing).
    public static let octetsIn = "wamp_transport_octets_in_total"
    /// Counter: octets of the WAMP messages sent (serialized payloads, without framing).
    public static let octetsOut = "wamp_transport_octets_out_total"
    /// Counter: opening handshakes that failed or were refused, by ``code``.
    public static let handshakeFailures = "wamp_transport_handshake_failures_total"
    /// Counter: connections ended by a protocol error after the handshake, by ``code``.
    public static let protocolErrors = "wamp_transport_protocol_errors_total"
    /// Counter: keepalive PINGs sent.
    public static let pingsSent = "wamp_transport_pings_sent_total"
    /// Counter: keepalive PINGs still unanswered when the connection was given up for it.
    public static let pingsUnanswered = "wamp_transport_pings_unanswered_total"

    // MARK: Session (WAMPSession)

    /// Counter: CALLs a session sent.
    public static let sessionCalls = "wamp_session_calls_total"
    /// Counter: ERROR messages a session received (answers to its calls, subscriptions,
    /// registrations, publications).
    public static let sessionErrors = "wamp_session_errors_total"
    /// Counter: EVENTs a session received.
    public static let sessionEvents = "wamp_session_events_total"

    // MARK: Router (WAMPRouter)

    /// Meter: sessions joined to a realm now.
    public static let routerSessions = "wamp_router_sessions"
    /// Counter: calls routed to a callee (INVOCATIONs sent).
    public static let routerCallsRouted = "wamp_router_calls_routed_total"
    /// Counter: events routed to subscribers (EVENTs sent).
    public static let routerEventsRouted = "wamp_router_events_routed_total"

    // MARK: Dimensions

    /// `rawsocket`, `websocket`, or `universal` (the connection counts of a universal server).
    public static let transport = "transport"
    /// `server` or `client`: which side of the connection recorded the value.
    public static let role = "role"
    /// The serializer's name: `json`, `msgpack`, `cbor`.
    public static let serializer = "serializer"
    /// Why a connection was refused: `max_connections` or `shutting_down`.
    public static let reason = "reason"
    /// What failed: the transport's error code (`badMagic`, `frameTooLarge`, `invalidMessage`,
    /// ...), a RawSocket handshake error number (`1` to `4`), an HTTP status (`404`, `503`).
    public static let code = "code"
    /// The realm of a session's or router's metric.
    public static let realm = "realm"
}
