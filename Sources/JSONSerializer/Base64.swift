/// Base64 with the standard alphabet and padding (RFC 4648 section 4), as WAMP's JSON uses
/// for binary values.
enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// The length of the encoding of `count` bytes.
    static func encodedLength(of count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// Appends the padded base64 encoding of `bytes` to `output`.
    static func encode(_ bytes: [UInt8], into output: inout [UInt8]) {
        let length = encodedLength(of: bytes.count)
        guard length > 0 else { return }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { whole in
                let out = UnsafeMutableBufferPointer(rebasing: whole[start...])
                let table = alphabet.utf8Start
                var i = 0
                var o = 0
                while input.count - i >= 3 {
                    let chunk = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    out[o] = table[Int(chunk >> 18)]
                    out[o + 1] = table[Int(chunk >> 12 & 0x3F)]
                    out[o + 2] = table[Int(chunk >> 6 & 0x3F)]
                    out[o + 3] = table[Int(chunk & 0x3F)]
                    i += 3
                    o += 4
                }
                switch input.count - i {
                case 1:
                    let chunk = UInt32(input[i]) << 16
                    out[o] = table[Int(chunk >> 18)]
                    out[o + 1] = table[Int(chunk >> 12 & 0x3F)]
                    out[o + 2] = UInt8(ascii: "=")
                    out[o + 3] = UInt8(ascii: "=")
                case 2:
                    let chunk = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                    out[o] = table[Int(chunk >> 18)]
                    out[o + 1] = table[Int(chunk >> 12 & 0x3F)]
                    out[o + 2] = table[Int(chunk >> 6 & 0x3F)]
                    out[o + 3] = UInt8(ascii: "=")
                default:
                    break
                }
            }
        }
    }

    /// Decodes padded standard base64, or returns `nil` if `encoded` is not exactly that: a
    /// length that is not a multiple of 4, a character outside the alphabet, or padding
    /// anywhere but at the end.
    static func decode(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        if let decoded = encoded.withContiguousStorageIfAvailable({ decode($0) }) {
            return decoded
        }
        return Array(encoded).withUnsafeBufferPointer { decode($0) }
    }

    /// Decodes padded standard base64 from contiguous bytes in one pass into a preallocated
    /// array; `nil` under the same rules as ``decode(_:)-(some Collection<UInt8>)``.
    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count % 4 == 0 else { return nil }
        guard count > 0, let base = input.baseAddress else { return [] }
        let pad = UInt8(ascii: "=")
        // The padding can only be at the very end: one `=`, or two.
        let padding = base[count - 1] != pad ? 0 : base[count - 2] != pad ? 1 : 2
        let outputCount = count / 4 * 3 - padding
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            guard let out = out.baseAddress else { return }
            decodeTable.withUnsafeBufferPointer { table in
                let table = table.baseAddress!
                // The 24 bits of a group of four characters, from the four tables of
                // pre-shifted 6-bit values; an invalid character sets bits 24...31.
                @inline(__always)
                func bits(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
                    table[Int(a)] | table[256 + Int(b)] | table[512 + Int(c)] | table[768 + Int(d)]
                }
                var i = 0
                var o = 0
                // The full groups before the last: any `=` here is invalid; invalid characters
                // are collected in `bad` and checked once at the end.
                var bad: UInt32 = 0
                let fullEnd = count - 4
                while i < fullEnd {
                    let group = bits(base[i], base[i + 1], base[i + 2], base[i + 3])
                    bad |= group
                    out[o] = UInt8(truncatingIfNeeded: group >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: group)
                    i += 4
                    o += 3
                }
                // The last group, which may end in padding ("A" is a valid stand-in: 0 bits).
                let a = UInt8(ascii: "A")
                let group = bits(base[i], base[i + 1], padding == 2 ? a : base[i + 2], padding >= 1 ? a : base[i + 3])
                bad |= group
                out[o] = UInt8(truncatingIfNeeded: group >> 16)
                if padding < 2 { out[o + 1] = UInt8(truncatingIfNeeded: group >> 8) }
                if padding < 1 { out[o + 2] = UInt8(truncatingIfNeeded: group) }
                valid = bad >> 24 == 0
            }
            initialized = valid ? outputCount : 0
        }
        return valid ? output : nil
    }

    /// Four tables of 256 entries: the 6-bit value of each byte as a base64 character,
    /// shifted into place for the first, second, third and fourth character of a group, or
    /// 0xFF00_0000 for a byte that is not a base64 character (also `=`).
    private static let decodeTable: [UInt32] = (0 ..< 4).flatMap { position in
        (0 ... 255).map { byte -> UInt32 in
            let sixBits = value(of: UInt8(byte))
            return sixBits == invalid ? 0xFF00_0000 : UInt32(sixBits) << (18 - 6 * position)
        }
    }

    private static var invalid: UInt8 { 0xFF }

    /// The 6-bit value of a base64 character, or `invalid` (also for `=`).
    @inline(__always)
    private static func value(of character: UInt8) -> UInt8 {
        switch character {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): return character &- UInt8(ascii: "A")
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): return character &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return character &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return invalid
        }
    }
}
