import Testing
import Transport
@testable import WAMPRouter

/// The dictionary and set of IDs the router assigns itself, hashed without SipHash.
@Suite("Maps and sets keyed by the router's own IDs")
struct AssignedIDMapTests {
    @Test("values are stored, changed in place, read and removed by ID, for sequential and random IDs alike")
    func storesChangesAndRemoves() {
        var map = AssignedIDMap<Int>()
        var random = SystemRandomNumberGenerator()
        let ids = (1 ... 2000).map { WAMPID($0) } + (0 ..< 2000).map { _ in WAMPID.random(in: WAMPID.wampRange, using: &random) }
        for (index, id) in ids.enumerated() { map[id] = index }
        #expect(map.count == Set(ids).count)
        for id in ids.prefix(10) { map.withValueInPlace(id) { $0 = -1 } }
        #expect(ids.prefix(10).allSatisfy { map[$0] == -1 })
        #expect(map.withValueInPlace(0) { _ in true } == nil, "no value for an ID never stored")
        for id in ids { map.removeValue(forKey: id) }
        #expect(map.isEmpty)
    }

    @Test("a set holds each ID once and lists them in order")
    func setHoldsEachIDOnce() {
        var set = AssignedIDSet()
        for id in [5, 3, 9, 3] as [WAMPID] { set.insert(id) }
        #expect(set.sorted() == [3, 5, 9])
        #expect(set.contains(9) && !set.contains(4))
        set.remove(5)
        #expect(set.sorted() == [3, 9])
        set.remove(3)
        set.remove(9)
        #expect(set.isEmpty)
    }

    @Test("the hash of consecutive IDs spreads over the low bits that pick a bucket")
    func hashSpreadsConsecutiveIDs() {
        let buckets = 1024
        var used = Set<Int>()
        for id in 1 ... UInt64(buckets) { used.insert(IDHash.mix(id, seed: 12345) & (buckets - 1)) }
        // A random function fills about 63% of the buckets; a poor one (the identity's low
        // bits are perfect, a multiplication's are not) far fewer or exactly all.
        #expect(used.count > buckets / 2, "\(used.count) of \(buckets) buckets")
    }
}
