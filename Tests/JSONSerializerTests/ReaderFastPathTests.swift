import JSONSerializer
import NIOCore
import Testing
import Transport

/// The fast paths (the word-at-a-time skip over plain string bytes in the reader's scan and in the
/// writer's escaping, the
/// one-pass base64 decoder) behave exactly like the byte-at-a-time rules, wherever in a long
/// string the interesting byte falls.
@Suite("Reader and writer fast paths")
struct ReaderFastPathTests {
    /// A plain ASCII run of `count` characters.
    private static func run(_ count: Int) -> String {
        String(repeating: "abcdefghij", count: count / 10 + 1).prefix(count).description
    }

    @Test("quotes, escapes, non-ASCII and control bytes are found at every offset after a plain run")
    func specialBytesAtEveryOffset() throws {
        for prefix in 0 ... 24 {
            let head = Self.run(prefix)
            #expect(try decodeValue("[\"\(head)\\\"x\"]") == [.string(head + "\"x")], "escape after \(prefix)")
            #expect(try decodeValue("[\"\(head)\\\\\"]") == [.string(head + "\\")], "backslash after \(prefix)")
            #expect(try decodeValue("[\"\(head)é€😀\"]") == [.string(head + "é€😀")], "non-ASCII after \(prefix)")
            #expect(try decodeValue("[\"\(head)\u{FEFF}x\"]") == [.string(head + "\u{FEFF}x")], "U+FEFF after \(prefix)")
            #expect(try decodeValue("[\"\(head)\", \"\(head)\"]") == [.string(head), .string(head)], "quote after \(prefix)")

            var invalid = Array("[\"\(head)".utf8) + [0xC0, 0xAF] + Array("\"]".utf8)
            #expect(decodingError(invalid) == .serialization(.invalidUTF8), "invalid UTF-8 after \(prefix)")
            invalid = Array("[\"\(head)".utf8) + [0x00] + Array("\"]".utf8)
            #expect(decodingError(invalid) == .serialization(.malformed), "NUL after \(prefix)")
            invalid = Array("[\"\(head)".utf8) + [0x01] + Array("\"]".utf8)
            #expect(decodingError(invalid) == .serialization(.malformed), "control byte after \(prefix)")
            #expect(decodingError(Array("[1,\"\(head)".utf8)) == .serialization(.truncated), "unterminated after \(prefix)")
            #expect(decodingError(Array("\"\(head)\" x".utf8)) == .serialization(.trailingBytes), "trailing after \(prefix)")
        }
    }

    @Test("the writer escapes a quote, backslash, control character or U+FEFF at every offset of a long string, and copies the rest")
    func writerEscapesAtEveryOffset() throws {
        let specials: [(String, String)] = [
            ("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{01}", #"\u0001"#), ("\u{1F}", #"\u001f"#),
            ("\u{FEFF}", #"\ufeff"#), ("é", "é"), ("\u{FFEF}", "\u{FFEF}"), ("\u{7F}", "\u{7F}"), (" ", " "),
        ]
        for prefix in 0 ... 24 {
            let head = Self.run(prefix)
            let tail = Self.run(19 - prefix % 20)
            for (special, escaped) in specials {
                let string = head + special + tail
                #expect(try encodeValue(.string(string)) == "\"" + head + escaped + tail + "\"", "\(special.debugDescription) after \(prefix)")
                #expect(try decodeValue(encodeValue(.string(string))) == .string(string))
            }
        }
    }

    @Test("long binary values decode, and a bad character anywhere in them is refused")
    func longBinary() throws {
        var generator = SplitMix64(seed: 7)
        for length in [100, 1000, 4097, 65536] {
            let bytes = (0 ..< length).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
            let text = try encodeValue(.binary(bytes))
            #expect(try decodeValue(text) == .binary(bytes), "length \(length)")

            var utf8 = Array(text.utf8)
            // After the quote and the six characters of \u0000: the base64 text.
            let base64Start = 7
            for position in [base64Start, base64Start + 1, (base64Start + utf8.count - 1) / 2, utf8.count - 4] {
                let saved = utf8[position]
                for bad in [UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "-")] {
                    utf8[position] = bad
                    let error = #expect(throws: WAMPSerializationError.self) {
                        try json.deserializeValue(ByteBuffer(bytes: utf8))
                    }
                    #expect(error?.code == .malformed, "'\(UnicodeScalar(bad))' at \(position) of length \(length)")
                }
                utf8[position] = saved
            }
        }
    }
}
