/// A connection the router serves, numbered in the order they arrive. Not a WAMP session ID: a
/// connection holds one session at a time, and may hold another after a GOODBYE.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt64

    var description: String { "connection \(rawValue)" }

    /// ``IDHash``, not SipHash: the router looks connections up several times per message.
    func _rawHashValue(seed: Int) -> Int {
        IDHash.mix(rawValue, seed: seed)
    }
}
