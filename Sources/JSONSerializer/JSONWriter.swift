import NIOCore
import Transport

/// Writes ``WAMPValue``s as compact JSON text (RFC 8259) straight into a `ByteBuffer`, without
/// Foundation and without intermediate strings for anything but doubles.
///
/// - Strings are escaped minimally: `"`, `\` and the control characters U+0000 ... U+001F
///   (with the short forms `\b \f \n \r \t` where they exist); everything else, including
///   non-ASCII text, is copied as UTF-8.
/// - Integers are written exactly, signed and unsigned 64-bit.
/// - Doubles use Swift's shortest round-trip form, always with a fraction or exponent, so that
///   `1.0` reads back as a double.
/// - Binary is a string of U+0000 (written `\u0000`) followed by padded standard base64.
struct JSONWriter {
    /// The deepest nesting of lists and dicts written; level 1 is the outermost list or dict.
    let maxNestingDepth: Int

    /// Writes `value`, which sits inside `depth` enclosing lists and dicts.
    func write(_ value: WAMPValue, depth: Int, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        switch value {
        case .null:
            buffer.writeStaticString("null")
        case .bool(let bool):
            buffer.writeStaticString(bool ? "true" : "false")
        case .integer(let integer):
            Self.writeInteger(integer, into: &buffer)
        case .unsignedInteger(let integer):
            Self.writeInteger(integer, into: &buffer)
        case .double(let double):
            try Self.writeDouble(double, into: &buffer)
        case .string(let string):
            guard string.utf8.first != 0 else {
                throw WAMPSerializationError(
                    .unsupportedValue, serializer: "json",
                    "a string that starts with U+0000 cannot be sent: in WAMP's JSON it marks binary data")
            }
            Self.writeString(string, into: &buffer)
        case .binary(let bytes):
            buffer.writeStaticString(#""\u0000"#)
            Base64.encode(bytes, into: &buffer)
            buffer.writeInteger(ASCII.quote)
        case .list(let elements):
            try writeList(elements, depth: depth + 1, into: &buffer)
        case .dict(let entries):
            try writeDict(entries, depth: depth + 1, into: &buffer)
        }
    }

    /// Writes a list whose own nesting level is `depth` (1 for a message).
    func writeList(_ elements: [WAMPValue], depth: Int, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        try checkDepth(depth)
        buffer.writeInteger(ASCII.openBracket)
        var first = true
        for element in elements {
            if first { first = false } else { buffer.writeInteger(ASCII.comma) }
            try write(element, depth: depth, into: &buffer)
        }
        buffer.writeInteger(ASCII.closeBracket)
    }

    /// Writes a dict whose own nesting level is `depth`.
    func writeDict(_ entries: [String: WAMPValue], depth: Int, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        try checkDepth(depth)
        buffer.writeInteger(ASCII.openBrace)
        var first = true
        for (key, value) in entries {
            if first { first = false } else { buffer.writeInteger(ASCII.comma) }
            Self.writeString(key, into: &buffer)
            buffer.writeInteger(ASCII.colon)
            try write(value, depth: depth, into: &buffer)
        }
        buffer.writeInteger(ASCII.closeBrace)
    }

    private func checkDepth(_ depth: Int) throws(WAMPSerializationError) {
        guard depth <= maxNestingDepth else {
            throw WAMPSerializationError(
                .nestingTooDeep, serializer: "json",
                "lists and dicts are nested deeper than \(maxNestingDepth) levels")
        }
    }

    // MARK: - Scalars

    static func writeInteger(_ value: Int64, into buffer: inout ByteBuffer) {
        if value < 0 {
            buffer.writeInteger(ASCII.minus)
        }
        writeInteger(value.magnitude, into: &buffer)
    }

    static func writeInteger(_ value: UInt64, into buffer: inout ByteBuffer) {
        if value < 10 {
            buffer.writeInteger(ASCII.zero &+ UInt8(truncatingIfNeeded: value))
            return
        }
        // UInt64.max has 20 digits: write them backwards, then reverse in place.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { out in
            var rest = value
            var count = 0
            repeat {
                let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
                out[count] = ASCII.zero &+ UInt8(truncatingIfNeeded: digit)
                count += 1
                rest = quotient
            } while rest != 0
            var low = 0
            var high = count - 1
            while low < high {
                out.swapAt(low, high)
                low += 1
                high -= 1
            }
            return count
        }
    }

    static func writeDouble(_ value: Double, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        guard value.isFinite else {
            throw WAMPSerializationError(.unsupportedValue, serializer: "json", "JSON cannot represent \(value)")
        }
        // Swift's description is the shortest form that reads back as the same double, and is
        // valid JSON for finite values ("3.14", "1.0", "-0.0", "1e+300", "5e-324").
        let text = value.description
        buffer.writeString(text)
        if !text.utf8.contains(where: { $0 == ASCII.dot || $0 == ASCII.lowerE || $0 == ASCII.upperE }) {
            // Not produced by today's standard library; keeps a double from reading back as an integer.
            buffer.writeStaticString(".0")
        }
    }

    // MARK: - Strings

    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { utf8 in writeEscaped(utf8, into: &buffer) }
    }

    /// Writes `utf8` as a quoted JSON string, copying runs that need no escape in one go.
    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        buffer.writeInteger(ASCII.quote)
        var runStart = 0
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else { continue }
            if runStart < index {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart ..< index]))
            }
            writeEscape(for: byte, into: &buffer)
            runStart = index + 1
        }
        if runStart < utf8.count {
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart...]))
        }
        buffer.writeInteger(ASCII.quote)
    }

    private static func writeEscape(for byte: UInt8, into buffer: inout ByteBuffer) {
        switch byte {
        case ASCII.quote: buffer.writeStaticString(#"\""#)
        case ASCII.backslash: buffer.writeStaticString(#"\\"#)
        case 0x08: buffer.writeStaticString(#"\b"#)
        case 0x09: buffer.writeStaticString(#"\t"#)
        case 0x0A: buffer.writeStaticString(#"\n"#)
        case 0x0C: buffer.writeStaticString(#"\f"#)
        case 0x0D: buffer.writeStaticString(#"\r"#)
        default:
            buffer.writeStaticString(#"\u00"#)
            buffer.writeInteger(ASCII.hexDigit(byte >> 4))
            buffer.writeInteger(ASCII.hexDigit(byte & 0x0F))
        }
    }
}
