public import Transport

/// Request IDs of one session: sequential from 1, wrapping back to 1 after 2^53, as the WAMP
/// spec asks for IDs in the session scope.
///
/// ```swift
/// var ids = WAMPRequestIDGenerator()
/// ids.next()   // 1
/// ids.next()   // 2
/// ```
public struct WAMPRequestIDGenerator: Sendable, Hashable {
    private var last: WAMPID

    /// A generator whose first ID is 1.
    public init() { last = 0 }

    /// A generator whose first ID follows `last` (for tests near the wrap: `startingAfter: 1 << 53`
    /// gives 1 next).
    public init(startingAfter last: WAMPID) { self.last = min(last, WAMPID.wampMax) }

    /// The next ID: the previous one plus 1, or 1 after 2^53.
    public mutating func next() -> WAMPID {
        last = last >= WAMPID.wampMax ? 1 : last + 1
        return last
    }
}
