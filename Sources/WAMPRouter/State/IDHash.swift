/// The hash of the router's own IDs as dictionary keys (``ConnectionID``, the keys of an
/// ``AssignedIDMap``): a few multiplications in place of SipHash.
///
/// SipHash keeps a dictionary whose keys an attacker chooses from keys that all fall in one
/// bucket. No peer chooses these IDs (connection numbers and INVOCATION IDs are sequential,
/// session IDs random, all the router's own), and the router looks them up several times per
/// message: SipHash of an 8-byte key was about a tenth of its instructions per routed call.
enum IDHash {
    /// The finalizer of MurmurHash3's 64-bit hash on `id` and the dictionary's `seed`: its low
    /// bits, which pick the bucket, depend on every bit of both.
    @inline(__always)
    static func mix(_ id: UInt64, seed: Int) -> Int {
        var x = id ^ UInt64(truncatingIfNeeded: seed)
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return Int(truncatingIfNeeded: x)
    }
}
