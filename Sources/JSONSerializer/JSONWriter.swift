import Transport

/// Writes ``WAMPValue``s as compact JSON text (RFC 8259), without Foundation.
///
/// The text is collected in a byte array that the serializer copies into the transport's
/// `ByteBuffer` in one call: appending single bytes to an array costs a fraction of a
/// `ByteBuffer` write each, and a message is made of many one-byte tokens.
///
/// - Strings are escaped minimally: `"`, `\` and the control characters U+0000 ... U+001F
///   (with the short forms `\b \f \n \r \t` where they exist), plus U+FEFF as `\ufeff`
///   (Foundation's parser on Linux drops it raw at the start of a string); everything else,
///   including non-ASCII text, is copied as UTF-8.
/// - Integers are written exactly, signed and unsigned 64-bit.
/// - Doubles use Swift's shortest round-trip form, always with a fraction or exponent, so that
///   `1.0` reads back as a double.
/// - Binary is a string of U+0000 (written `\u0000`) followed by padded standard base64.
struct JSONWriter {
    /// The deepest nesting of lists and dicts written; level 1 is the outermost list or dict.
    let maxNestingDepth: Int

    /// The JSON text written so far, as UTF-8.
    private(set) var output: [UInt8] = []

    init(maxNestingDepth: Int, capacity: Int = 256) {
        self.maxNestingDepth = maxNestingDepth
        output.reserveCapacity(capacity)
    }

    /// Writes `value`, which sits inside `depth` enclosing lists and dicts.
    mutating func write(_ value: WAMPValue, depth: Int) throws(WAMPSerializationError) {
        switch value {
        case .null:
            append("null")
        case .bool(let bool):
            append(bool ? "true" : "false")
        case .integer(let integer):
            writeInteger(integer)
        case .unsignedInteger(let integer):
            writeInteger(integer)
        case .double(let double):
            try writeDouble(double)
        case .string(let string):
            guard string.utf8.first != 0 else {
                throw WAMPSerializationError(
                    .unsupportedValue, serializer: "json",
                    "a string that starts with U+0000 cannot be sent: in WAMP's JSON it marks binary data")
            }
            writeString(string)
        case .binary(let bytes):
            append(#""\u0000"#)
            Base64.encode(bytes, into: &output)
            output.append(ASCII.quote)
        case .list(let elements):
            try writeList(elements, depth: depth + 1)
        case .dict(let entries):
            try writeDict(entries, depth: depth + 1)
        }
    }

    /// Writes a list whose own nesting level is `depth` (1 for a message).
    mutating func writeList(_ elements: [WAMPValue], depth: Int) throws(WAMPSerializationError) {
        try checkDepth(depth)
        output.append(ASCII.openBracket)
        var first = true
        for element in elements {
            if first { first = false } else { output.append(ASCII.comma) }
            try write(element, depth: depth)
        }
        output.append(ASCII.closeBracket)
    }

    /// Writes a dict whose own nesting level is `depth`.
    mutating func writeDict(_ entries: [String: WAMPValue], depth: Int) throws(WAMPSerializationError) {
        try checkDepth(depth)
        output.append(ASCII.openBrace)
        var first = true
        for (key, value) in entries {
            if first { first = false } else { output.append(ASCII.comma) }
            writeString(key)
            output.append(ASCII.colon)
            try write(value, depth: depth)
        }
        output.append(ASCII.closeBrace)
    }

    private func checkDepth(_ depth: Int) throws(WAMPSerializationError) {
        guard depth <= maxNestingDepth else {
            throw WAMPSerializationError(
                .nestingTooDeep, serializer: "json",
                "lists and dicts are nested deeper than \(maxNestingDepth) levels")
        }
    }

    private mutating func append(_ text: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // MARK: - Numbers

    mutating func writeInteger(_ value: Int64) {
        if value < 0 {
            output.append(ASCII.minus)
        }
        writeInteger(value.magnitude)
    }

    mutating func writeInteger(_ value: UInt64) {
        if value < 10 {
            output.append(ASCII.zero &+ UInt8(truncatingIfNeeded: value))
            return
        }
        // UInt64.max has 20 digits. They come out last first: fill a stack buffer from its
        // end, then append the filled part in one go.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value
            var start = digits.count
            repeat {
                let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
                start -= 1
                digits[start] = ASCII.zero &+ UInt8(truncatingIfNeeded: digit)
                rest = quotient
            } while rest != 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    mutating func writeDouble(_ value: Double) throws(WAMPSerializationError) {
        guard value.isFinite else {
            throw WAMPSerializationError(.unsupportedValue, serializer: "json", "JSON cannot represent \(value)")
        }
        // Swift's description is the shortest form that reads back as the same double, and is
        // valid JSON for finite values ("3.14", "1.0", "-0.0", "1e+300", "5e-324").
        let text = value.description
        output.append(contentsOf: text.utf8)
        if !text.utf8.contains(where: { $0 == ASCII.dot || $0 == ASCII.lowerE || $0 == ASCII.upperE }) {
            // Not produced by today's standard library; keeps a double from reading back as an integer.
            append(".0")
        }
    }

    // MARK: - Strings

    mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in writeEscaped(utf8) }
    }

    /// Writes `utf8` as a quoted JSON string, copying runs that need no escape in one go.
    mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        output.append(ASCII.quote)
        var runStart = 0
        var index = 0
        while index < utf8.count {
            index = Self.skipPlainWords(utf8, from: index)
            guard index < utf8.count else { break }
            let byte = utf8[index]
            if byte >= 0x20 && byte != ASCII.quote && byte != ASCII.backslash && byte != 0xEF {
                index += 1
                continue
            }
            // U+FEFF is EF BB BF; other characters starting with EF are copied.
            let isByteOrderMark = byte == 0xEF
            if isByteOrderMark {
                guard utf8.count - index >= 3, utf8[index + 1] == 0xBB, utf8[index + 2] == 0xBF else {
                    index += 1
                    continue
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart ..< index]))
            if isByteOrderMark {
                append(#"\ufeff"#)
                index += 3
            } else {
                writeEscape(for: byte)
                index += 1
            }
            runStart = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        output.append(ASCII.quote)
    }

    /// The index of the first 8-octet word at or after `start` that may hold an octet needing
    /// attention (a control character, `"`, `\`, or 0xEF, the first octet of U+FEFF), tested
    /// a word at a time; `start` itself when fewer than 8 octets remain.
    @inline(__always)
    static func skipPlainWords(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = utf8.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while utf8.count - index >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // A zero octet in `v` sets its high bit in `(v - ones) & ~v & highs` (no false
            // negatives; a false positive only sends the word to the octet-by-octet loop).
            let control = (word &- ones &* 0x20) & ~word & highs  // octets below 0x20
            let quote = word ^ (ones &* UInt64(ASCII.quote))
            let backslash = word ^ (ones &* UInt64(ASCII.backslash))
            let bom = word ^ (ones &* 0xEF)
            let special = control
                | ((quote &- ones) & ~quote & highs)
                | ((backslash &- ones) & ~backslash & highs)
                | ((bom &- ones) & ~bom & highs)
            if special != 0 { break }
            index += 8
        }
        return index
    }

    private mutating func writeEscape(for byte: UInt8) {
        switch byte {
        case ASCII.quote: append(#"\""#)
        case ASCII.backslash: append(#"\\"#)
        case 0x08: append(#"\b"#)
        case 0x09: append(#"\t"#)
        case 0x0A: append(#"\n"#)
        case 0x0C: append(#"\f"#)
        case 0x0D: append(#"\r"#)
        default:
            append(#"\u00"#)
            output.append(ASCII.hexDigit(byte >> 4))
            output.append(ASCII.hexDigit(byte & 0x0F))
        }
    }
}
