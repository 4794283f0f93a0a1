import Testing
import Transport

/// The URI checks that run on every message's URI, which read eight octets at a time.
@Suite("URI checks")
struct URICheckTests {
    /// Random strings over an alphabet that hits every branch: dots, letters, `#`, ASCII
    /// whitespace and control characters, two- and three-octet characters, Unicode whitespace.
    static func randomURIs(count: Int) -> [String] {
        let alphabet: [String] = [".", "a", "b", "_", "9", "#", " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{01}", "\u{1F}",
                                  "\u{7F}", "é", "€", "\u{A0}", "\u{2003}", "\u{3000}", "ü"]
        var generator = SystemRandomNumberGenerator()
        return (0 ..< count).map { _ in
            let length = Int.random(in: 0 ... 40, using: &generator)
            // Mostly letters and dots, so that long valid runs occur.
            return String((0 ..< length).map { _ in
                Bool.random(using: &generator) ? (Bool.random(using: &generator) ? "a" : ".") : alphabet.randomElement(using: &generator)!
            }.joined())
        }
    }

    @Test("isLooselyValid: not empty, no whitespace (ASCII or Unicode) and no '#', at every length and position")
    func looselyValidMatchesItsRule() {
        for uri in Self.randomURIs(count: 20_000) + ["com.example.procedure.with.a.long.name", "a#", String(repeating: "a", count: 16) + " "] {
            let expected = !uri.isEmpty && !uri.unicodeScalars.contains { $0 == "#" || $0.properties.isWhitespace }
            #expect(WAMPURI.isLooselyValid(uri) == expected, "\(Array(uri.utf8))")
        }
    }
}
