import Testing
import Transport
@testable import WAMPRouter

@Suite("Pattern matching of topics and procedures")
struct URIPatternIndexTests {
    @Test("prefix patterns match as strings, as in the spec's examples")
    func prefixMatchesAsStrings() {
        var index = URIPatternIndex()
        index.insert("com.myapp.topic.emergency", .prefix, id: 1)
        for topic in ["com.myapp.topic.emergency.11", "com.myapp.topic.emergency-low",
                      "com.myapp.topic.emergency.category.severe", "com.myapp.topic.emergency"] {
            #expect(index.matches(topic).map(\.id) == [1], "\(topic)")
        }
        #expect(index.matches("com.myapp.topic.emerge").isEmpty)
    }

    @Test("prefix lookups agree whether the index scans its prefixes or looks up the URI's")
    func prefixLookupStrategiesAgree() {
        var few = URIPatternIndex()
        few.insert("a.b", .prefix, id: 1)
        var many = few
        for n in 0 ..< 40 { many.insert("z.\(n)", .prefix, id: WAMPID(100 + n)) }
        // "a.b.c" is shorter than the 41 prefixes of `many`: looked up; `few` is scanned.
        #expect(few.matches("a.b.c").map(\.id) == [1])
        #expect(many.matches("a.b.c").map(\.id) == [1])
        #expect(many.matches("z.3").map(\.id) == [103])
    }

    @Test("wildcard patterns match whole components and the same number of them")
    func wildcardMatchesWholeComponents() {
        var index = URIPatternIndex()
        index.insert("com.myapp..userevent", .wildcard, id: 7)
        for topic in ["com.myapp.foo.userevent", "com.myapp.bar.userevent", "com.myapp.a12.userevent"] {
            #expect(index.matches(topic).map(\.id) == [7], "\(topic)")
        }
        for topic in ["com.myapp.foo.userevent.bar", "com.myapp.foo.user", "com.myapp2.foo.userevent"] {
            #expect(index.matches(topic).isEmpty, "\(topic)")
        }
    }

    @Test("a URI matching several patterns matches each, with its policy")
    func severalPatternsMatch() {
        var index = URIPatternIndex()
        index.insert("a.b.c", .exact, id: 1)
        index.insert("a.b", .prefix, id: 2)
        index.insert("a..c", .wildcard, id: 3)
        let found = index.matches("a.b.c").sorted { $0.id < $1.id }
        #expect(found.map(\.id) == [1, 2, 3])
        #expect(found.map(\.policy) == [.exact, .prefix, .wildcard])
    }

    @Test("a call goes to the one best registration by the spec's rules")
    func bestMatchFollowsTheSpec() {
        // The spec's example, "Calls matching multiple registrations".
        var index = URIPatternIndex()
        index.insert("a1.b2.c3.d4.e55", .exact, id: 1)
        index.insert("a1.b2.c3", .prefix, id: 2)
        index.insert("a1.b2.c3.d4", .prefix, id: 3)
        index.insert("a1.b2..d4.e5", .wildcard, id: 4)
        index.insert("a1.b2.c3..e5", .wildcard, id: 5)
        index.insert("a1.b2..d4.e5..g7", .wildcard, id: 6)
        index.insert("a1.b2..d4..f6.g7", .wildcard, id: 7)
        #expect(index.bestMatch("a1.b2.c3.d4.e55")?.id == 1)
        #expect(index.bestMatch("a1.b2.c3.d98.e74")?.id == 2)
        #expect(index.bestMatch("a1.b2.c3.d4.e325")?.id == 3)
        #expect(index.bestMatch("a1.b2.c55.d4.e5")?.id == 4)
        #expect(index.bestMatch("a1.b2.c3.d4.e5")?.id == 3)  // the prefix a1.b2.c3.d4 comes before wildcards
        #expect(index.bestMatch("a1.b2.c88.d4.e5.f6.g7")?.id == 6)
        #expect(index.bestMatch("a2.b2.c2.d2.e2") == nil)
    }

    @Test("between wildcard patterns, longer concrete runs win, earlier runs first")
    func wildcardPriority() {
        var index = URIPatternIndex()
        index.insert("a1.b2..d4.e5", .wildcard, id: 4)
        index.insert("a1.b2.c3..e5", .wildcard, id: 5)
        index.insert("a1...d4.e5", .wildcard, id: 8)
        #expect(index.bestMatch("a1.b2.c3.d4.e5")?.id == 5)
        #expect(index.bestMatch("a1.b2.c9.d4.e5")?.id == 4)
        #expect(index.bestMatch("a1.x.y.d4.e5")?.id == 8)
    }

    @Test("removing a pattern stops its matches and leaves the others")
    func removal() {
        var index = URIPatternIndex()
        index.insert("a.b", .exact, id: 1)
        index.insert("a", .prefix, id: 2)
        index.insert("a.", .wildcard, id: 3)
        index.remove("a", .prefix)
        index.remove("a.", .wildcard)
        #expect(index.matches("a.b").map(\.id) == [1])
        index.remove("a.b", .exact)
        #expect(index.isEmpty)
    }

    @Test("patterns are valid by policy: no empty component for exact, only a last one for prefix")
    func patternValidity() {
        #expect(URIMatchPolicy.exact.isValidPattern("com.example.topic"))
        #expect(!URIMatchPolicy.exact.isValidPattern("com..topic"))
        #expect(!URIMatchPolicy.exact.isValidPattern("com.example."))
        #expect(URIMatchPolicy.prefix.isValidPattern("com.example."))
        #expect(!URIMatchPolicy.prefix.isValidPattern("com..example"))
        #expect(URIMatchPolicy.wildcard.isValidPattern("com..example."))
        #expect(!URIMatchPolicy.isConcrete(".com"))
        #expect(URIMatchPolicy.isConcrete("com"))
    }
}
