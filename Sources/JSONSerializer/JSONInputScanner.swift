import Transport

/// One pass over the raw input before Foundation's parser sees it.
///
/// It does what `JSONSerialization` cannot be trusted to do, cheaply and with exact byte
/// offsets:
/// - refuses nesting deeper than the limit at the first bracket too many, so that deeply
///   nested input never reaches the recursive parser;
/// - validates UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) and refuses
///   NUL bytes, so that Foundation never guesses UTF-16 or UTF-32 from zero bytes;
/// - tells truncated input (an unterminated string, list or dict, or nothing at all) and
///   trailing bytes after the top-level list, dict or string apart from other syntax errors;
/// - refuses a trailing comma (`[1,2,]`), which Foundation's parser would accept;
/// - finds raw U+FEFF characters inside strings, which Foundation's parser on Linux drops
///   when they start a string (or follow an escape), so that the reader can escape them first;
/// - finds number literals longer than 17 characters, which Foundation's parser may return as
///   `NSDecimalNumber` without saying whether they were written as integers or as floats, so
///   that the reader can read them from their own text.
///
/// Everything else about the syntax is left to the parser.
struct JSONInputScanner {
    /// What the scan found that the reader must deal with.
    struct Findings {
        /// The offsets of raw U+FEFF characters (`EF BB BF`) inside strings.
        var byteOrderMarksInStrings: [Int] = []
        /// The byte ranges of number literals longer than
        /// ``JSONInputScanner/longNumberLiteralLength`` characters, in document order.
        var longNumberLiterals: [Range<Int>] = []
    }

    /// Number literals longer than this may come back from Foundation as `NSDecimalNumber`
    /// (it uses `Decimal` for more than 17 characters before the exponent).
    static let longNumberLiteralLength = 17

    /// The deepest nesting of lists and dicts accepted.
    let maxNestingDepth: Int

    func scan(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> Findings {
        var findings = Findings()
        var depth = 0
        var inString = false
        var escaped = false
        var valueEnded = false  // the top-level list, dict or string has been closed
        var sawValue = false
        var lastStructural: UInt8 = 0  // the last byte outside strings that is not whitespace
        var index = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else {
            throw WAMPSerializationError(.truncated, serializer: "json", offset: 0, "the input holds no JSON value")
        }
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if inString, !escaped, byte >= 0x20, byte < 0x80, byte != ASCII.quote, byte != ASCII.backslash {
                // A plain ASCII character inside a string: skip the run of them, eight bytes
                // at a time, up to the next byte that needs a look (a quote, a backslash, a
                // control or non-ASCII byte).
                index += 1
                while count - index >= 8 {
                    let special = Self.specialStringBytes(in: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    if special != 0 {
                        index += special.trailingZeroBitCount >> 3
                        break
                    }
                    index += 8
                }
                continue
            }
            if byte >= 0x80 {
                if valueEnded && !inString { throw trailingBytes(at: index) }
                let end = try endOfUTF8Sequence(in: bytes, at: index)
                if inString, byte == 0xEF, base.load(fromByteOffset: index + 1, as: UInt8.self) == 0xBB,
                   base.load(fromByteOffset: index + 2, as: UInt8.self) == 0xBF {
                    findings.byteOrderMarksInStrings.append(index)
                }
                index = end
                escaped = false
                sawValue = true
                continue
            }
            if byte == 0 {
                throw WAMPSerializationError(
                    .malformed, serializer: "json", offset: index, "a NUL byte; JSON text must be UTF-8 without raw control characters")
            }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == ASCII.backslash {
                    escaped = true
                } else if byte == ASCII.quote {
                    inString = false
                    if depth == 0 { valueEnded = true }
                }
            } else {
                switch byte {
                case ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn:
                    break
                case _ where valueEnded:
                    throw trailingBytes(at: index)
                case ASCII.quote:
                    inString = true
                    sawValue = true
                    lastStructural = byte
                case ASCII.openBracket, ASCII.openBrace:
                    depth += 1
                    sawValue = true
                    lastStructural = byte
                    guard depth <= maxNestingDepth else {
                        throw WAMPSerializationError(
                            .nestingTooDeep, serializer: "json", offset: index,
                            "lists and dicts are nested deeper than \(maxNestingDepth) levels")
                    }
                case ASCII.closeBracket, ASCII.closeBrace:
                    depth -= 1
                    guard depth >= 0 else {
                        throw WAMPSerializationError(
                            .malformed, serializer: "json", offset: index,
                            "'\(UnicodeScalar(byte))' closes a list or dict that was never opened")
                    }
                    if lastStructural == ASCII.comma {
                        // Foundation accepts "[1,2,]"; JSON does not.
                        throw WAMPSerializationError(
                            .malformed, serializer: "json", offset: index, "a trailing comma before '\(UnicodeScalar(byte))'")
                    }
                    if depth == 0 { valueEnded = true }
                    lastStructural = byte
                case ASCII.minus, ASCII.zero ... ASCII.nine:
                    sawValue = true
                    lastStructural = byte
                    let end = Self.endOfNumberLiteral(in: bytes, from: index)
                    if end - index > Self.longNumberLiteralLength {
                        findings.longNumberLiterals.append(index ..< end)
                    }
                    index = end
                    continue
                default:
                    sawValue = true
                    lastStructural = byte
                }
            }
            index += 1
        }
        guard sawValue else {
            throw WAMPSerializationError(.truncated, serializer: "json", offset: count, "the input holds no JSON value")
        }
        if inString {
            throw WAMPSerializationError(.truncated, serializer: "json", offset: count, "the input ends inside a string")
        }
        if depth > 0 {
            throw WAMPSerializationError(
                .truncated, serializer: "json", offset: count, "the input ends inside \(depth) unclosed list(s) or dict(s)")
        }
        return findings
    }

    /// A word with the high bit set in (at least) the lowest of the eight bytes of `word` (in
    /// memory order) that is a quote, a backslash, a control character (below 0x20) or not
    /// ASCII, and zero if there is none. Bytes above the lowest such byte may be flagged
    /// falsely (a borrow), bytes below it never are.
    @inline(__always)
    private static func specialStringBytes(in word: UInt64) -> UInt64 {
        let x = UInt64(littleEndian: word)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let controls = x &- ones &* 0x20
        let quotes = (x ^ (ones &* UInt64(ASCII.quote))) &- ones
        let backslashes = (x ^ (ones &* UInt64(ASCII.backslash))) &- ones
        return (controls | quotes | backslashes | x) & (ones &* 0x80)
    }

    /// The index after the run of number characters (digits, `-`, `+`, `.`, `e`, `E`) that
    /// starts at `start`; the parser checks that the run is a valid number.
    private static func endOfNumberLiteral(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start + 1
        while end < bytes.count {
            switch bytes[end] {
            case ASCII.zero ... ASCII.nine, ASCII.minus, ASCII.plus, ASCII.dot, ASCII.lowerE, ASCII.upperE:
                end += 1
            default:
                return end
            }
        }
        return end
    }

    private func trailingBytes(at index: Int) -> WAMPSerializationError {
        WAMPSerializationError(.trailingBytes, serializer: "json", offset: index, "bytes follow the JSON value")
    }

    /// Validates the multi-byte UTF-8 sequence whose lead byte is at `index` and returns the
    /// index after it (Unicode 15, table 3-7: well-formed UTF-8 byte sequences).
    @inline(__always)
    private func endOfUTF8Sequence(in bytes: UnsafeRawBufferPointer, at index: Int) throws(WAMPSerializationError) -> Int {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80 ... 0xBF
        switch lead {
        case 0xC2 ... 0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0 ... 0xBF
        case 0xE1 ... 0xEC, 0xEE ... 0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80 ... 0x9F
        case 0xF0: length = 4; secondRange = 0x90 ... 0xBF
        case 0xF1 ... 0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80 ... 0x8F
        default: throw invalidUTF8(at: index, "byte 0x\(String(lead, radix: 16)) cannot start a UTF-8 sequence")
        }
        guard bytes.count - index >= length else {
            throw invalidUTF8(at: index, "the input ends inside a UTF-8 sequence")
        }
        guard secondRange.contains(bytes[index + 1]) else {
            throw invalidUTF8(at: index, "invalid UTF-8 sequence")
        }
        var next = index + 2
        while next < index + length {
            guard bytes[next] & 0xC0 == 0x80 else { throw invalidUTF8(at: index, "invalid UTF-8 sequence") }
            next += 1
        }
        return next
    }

    private func invalidUTF8(at index: Int, _ message: String) -> WAMPSerializationError {
        WAMPSerializationError(.invalidUTF8, serializer: "json", offset: index, message)
    }
}
