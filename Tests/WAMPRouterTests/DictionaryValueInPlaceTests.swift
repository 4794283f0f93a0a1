import Testing
@testable import WAMPRouter

@Suite("Dictionary.withValueInPlace")
struct DictionaryValueInPlaceTests {
    final class Reference {}

    /// A value holding a reference, as the routing state's sessions and realms do.
    struct Holder {
        var reference = Reference()
        var count = 0
    }

    @Test("reads the stored value without copying it: its reference stays uniquely held")
    func readsWithoutCopy() {
        var values = ["a": Holder()]
        let unique = values.withValueInPlace("a") { isKnownUniquelyReferenced(&$0.reference) }
        #expect(unique == true)
        // What it replaced: a read through the subscript holds a second reference while it reads.
        let copy = values["a"]
        #expect(copy.map { _ in isKnownUniquelyReferenced(&values["a"]!.reference) } == false)
    }

    @Test("nil for a key with no value; a change made in place stays")
    func missingKeyAndChange() {
        var values = ["a": Holder()]
        #expect(values.withValueInPlace("b") { $0.count } == nil)
        values.withValueInPlace("a") { $0.count += 1 }
        #expect(values["a"]?.count == 1)
        #expect(values.count == 1)
    }
}
