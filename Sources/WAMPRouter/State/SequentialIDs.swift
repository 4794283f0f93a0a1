import Transport

/// IDs in the router or session scope (subscriptions, registrations, INVOCATION requests):
/// 1, 2, 3 ... wrapping after 2^53, skipping IDs still in use.
struct SequentialIDs: Sendable {
    private var last: WAMPID = 0

    /// The next ID for which `inUse` is false.
    mutating func next(skipping inUse: (WAMPID) -> Bool) -> WAMPID {
        repeat {
            last = last >= WAMPID.wampMax ? 1 : last + 1
        } while inUse(last)
        return last
    }
}
