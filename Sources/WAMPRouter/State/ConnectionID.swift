/// A connection the router serves, numbered in the order they arrive. Not a WAMP session ID: a
/// connection holds one session at a time, and may hold another after a GOODBYE.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt64

    var description: String { "connection \(rawValue)" }
}
