import Testing
@testable import WAMPRouter

/// The check of every CALL's and PUBLISH's URI, which reads eight octets at a time.
@Suite("Concrete URIs")
struct URIConcreteTests {
    @Test("isConcrete: no empty component (no leading or trailing dot, no two dots side by side), at every length and position, across word boundaries")
    func concreteMatchesItsRule() {
        var generator = SystemRandomNumberGenerator()
        var uris = ["", ".", "a", "a.", ".a", "a..b", "com.example.procedure", "abcdefg..h", "abcdefgh.", "abcdefgh.ijklmnop", "abcdefg.", ".bcdefgh"]
        for _ in 0 ..< 20_000 {
            let length = Int.random(in: 0 ... 40, using: &generator)
            uris.append(String((0 ..< length).map { _ in Int.random(in: 0 ..< 4, using: &generator) == 0 ? "." : (Bool.random(using: &generator) ? "a" : "é") }.joined()))
        }
        for uri in uris {
            let expected = uri.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
            #expect(URIMatchPolicy.isConcrete(uri) == expected, "\(uri)")
        }
    }
}
