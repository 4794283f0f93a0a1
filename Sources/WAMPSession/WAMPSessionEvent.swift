public import Transport

/// A step in a session's life, published on ``WAMPSession/lifecycle``.
///
/// ```swift
/// for await event in session.lifecycle {   // ends when the session closes for good
///     print(event)                          // joined session 7, disconnected: ..., reconnecting ...
/// }
/// ```
public enum WAMPSessionEvent: Sendable, Hashable, CustomStringConvertible {
    /// The session joined its realm (first join or re-join) with this session ID.
    case joined(session: WAMPID)
    /// The transport dropped or failed; `reason` describes how.
    case disconnected(reason: String)
    /// A reconnection attempt (from 1) starts after `delay`.
    case reconnecting(attempt: Int, delay: Duration)
    /// A reconnection attempt failed.
    case reconnectFailed(attempt: Int, reason: String)
    /// Subscriptions and registrations were restored after a re-join.
    case restored(subscriptions: Int, registrations: Int)
    /// The session ended for good: left with GOODBYE, aborted, or reconnection given up.
    case closed(reason: String)

    public var description: String {
        switch self {
        case .joined(let session): return "joined session \(session)"
        case .disconnected(let reason): return "disconnected: \(reason)"
        case .reconnecting(let attempt, let delay): return "reconnecting (attempt \(attempt)) in \(delay)"
        case .reconnectFailed(let attempt, let reason): return "reconnection attempt \(attempt) failed: \(reason)"
        case .restored(let s, let r): return "restored \(s) subscriptions and \(r) registrations"
        case .closed(let reason): return "closed: \(reason)"
        }
    }
}
