import Transport

/// One joined session as the routing state knows it.
struct RouterSession: Sendable {
    /// Who the session is, in a box that every copy of the session shares: each message's
    /// handler gets a copy of the session (``withoutCollections``), which retains the box once
    /// instead of each of the identity's five strings.
    private let shared: SharedIdentity
    let connection: ConnectionID
    /// The session, as a callee, answers INTERRUPT (it announced `call_canceling`).
    let calleeCancels: Bool
    /// The subscriptions it holds.
    var subscriptions: Set<WAMPID> = []
    /// The registrations it holds.
    var registrations: Set<WAMPID> = []
    /// The calls it made that are in flight: the INVOCATION ID of each, by its CALL request ID
    /// (a CALL reusing a request ID in flight is refused; CANCEL names the CALL).
    var calls: [WAMPID: WAMPID] = [:]
    /// The dealer's deadlines of those of its calls that have one (CALL `timeout`), by
    /// INVOCATION ID. Kept apart from ``calls`` so that a call without a timeout, the common
    /// case, never stores a `ContinuousClock.Instant`: its layout is known only at run time, so
    /// each insertion and removal went through run-time value witnesses.
    var callDeadlines: [WAMPID: ContinuousClock.Instant] = [:]
    /// The invocations it serves, by INVOCATION ID.
    var invocations = AssignedIDSet()
    /// The last INVOCATION ID sent to it. INVOCATION IDs count up in the realm (wrapping only
    /// after 2^53), so a YIELD or ERROR for a higher ID answers an INVOCATION it never got.
    var lastInvocation: WAMPID = 0

    /// An identity that copies of a session share.
    final class SharedIdentity: Sendable {
        let identity: WAMPSessionIdentity

        init(_ identity: WAMPSessionIdentity) {
            self.identity = identity
        }
    }

    init(identity: WAMPSessionIdentity, connection: ConnectionID, calleeCancels: Bool) {
        self.init(shared: SharedIdentity(identity), connection: connection, calleeCancels: calleeCancels)
    }

    private init(shared: SharedIdentity, connection: ConnectionID, calleeCancels: Bool) {
        self.shared = shared
        self.connection = connection
        self.calleeCancels = calleeCancels
    }

    /// Who the session is: its ID, realm and authentication.
    var identity: WAMPSessionIdentity { shared.identity }
    var id: WAMPID { shared.identity.session }

    /// This session with its sets and calls empty: what the message handlers are given, so that
    /// `RouterCore.sessions` holds the only reference to the collections and changes them in
    /// place. The handlers read the collections from there.
    var withoutCollections: RouterSession {
        // Made anew rather than copied and emptied: a copy would retain the collections first.
        var session = RouterSession(shared: shared, connection: connection, calleeCancels: calleeCancels)
        session.lastInvocation = lastInvocation
        return session
    }
    var realm: String { shared.identity.realm }

    /// The earliest deadline of its calls.
    var earliestCallDeadline: ContinuousClock.Instant? {
        callDeadlines.values.min()
    }
}
