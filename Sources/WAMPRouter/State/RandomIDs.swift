import Transport

/// IDs in the global scope that are drawn for every message (publication IDs): uniformly at
/// random from `1 ... 2^53`, as the spec asks, by a xoshiro256** generator seeded once from the
/// system's generator.
///
/// The system's generator makes a `getrandom` system call for every number: one per PUBLISH,
/// about as much time as the rest of the broker's work for a small event. Session IDs, drawn
/// once per join, still come from the system's generator.
struct RandomIDs: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded from `seed` (by default the system's generator).
    init<Seed: RandomNumberGenerator>(seed: inout Seed) {
        repeat {
            state = (seed.next(), seed.next(), seed.next(), seed.next())
        } while state == (0, 0, 0, 0)  // the one state xoshiro never leaves
    }

    init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: &system)
    }

    /// The next ID in `1 ... 2^53`.
    mutating func nextID() -> WAMPID {
        WAMPID.random(in: WAMPID.wampRange, using: &self)
    }

    /// xoshiro256** (Blackman and Vigna, 2018).
    mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
