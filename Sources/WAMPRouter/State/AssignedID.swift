import Transport

/// An ID the router assigned itself (a session ID, an INVOCATION ID) as a dictionary or set key,
/// hashed with ``IDHash``: the keys of ``AssignedIDMap`` and ``AssignedIDSet``.
struct AssignedID: Hashable, Sendable {
    let id: WAMPID

    /// ``IDHash``, not SipHash: no peer chooses these IDs.
    func _rawHashValue(seed: Int) -> Int {
        IDHash.mix(id, seed: seed)
    }
}
