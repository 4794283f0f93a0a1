import Testing
import Transport
@testable import WAMPRouter

@Suite("RandomIDs")
struct RandomIDsTests {
    /// Hands out 1, 2, 3 ... as the seed.
    struct CountingSeed: RandomNumberGenerator {
        var last: UInt64 = 0
        mutating func next() -> UInt64 {
            last += 1
            return last
        }
    }

    @Test("the generator is xoshiro256**: the reference outputs for the state 1, 2, 3, 4")
    func referenceOutputs() {
        var seed = CountingSeed()
        var generator = RandomIDs(seed: &seed)
        #expect([generator.next(), generator.next(), generator.next(), generator.next()]
            == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test("IDs are in 1 ... 2^53 and do not repeat in 100,000 draws; two default generators differ")
    func idsInRangeAndDistinct() {
        var generator = RandomIDs()
        var seen = Set<WAMPID>()
        for _ in 0 ..< 100_000 {
            let id = generator.nextID()
            #expect(WAMPID.wampRange.contains(id))
            seen.insert(id)
        }
        #expect(seen.count == 100_000)
        var first = RandomIDs()
        var second = RandomIDs()
        #expect((0 ..< 4).map { _ in first.nextID() } != (0 ..< 4).map { _ in second.nextID() })
    }
}
