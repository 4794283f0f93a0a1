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
                var i = 0
                var o = 0
                // The full groups before the last: any `=` here is invalid (0xFF in the table),
                // and invalid characters are collected in `bad` and checked once at the end.
                var bad: UInt8 = 0
                let fullEnd = count - 4
                while i < fullEnd {
                    let a = table[Int(base[i])], b = table[Int(base[i + 1])]
                    let c = table[Int(base[i + 2])], d = table[Int(base[i + 3])]
                    bad |= a | b | c | d
                    out[o] = a << 2 | b >> 4
                    out[o + 1] = b << 4 | c >> 2
                    out[o + 2] = c << 6 | d
                    i += 4
                    o += 3
                }
                // The last group, which may hold the padding.
                let a = table[Int(base[i])], b = table[Int(base[i + 1])]
                let c = padding == 2 ? 0 : table[Int(base[i + 2])]
                let d = padding >= 1 ? 0 : table[Int(base[i + 3])]
                bad |= a | b | c | d
                out[o] = a << 2 | b >> 4
                if padding < 2 { out[o + 1] = b << 4 | c >> 2 }
                if padding < 1 { out[o + 2] = c << 6 | d }
                valid = bad & 0x80 == 0
            }
            initialized = valid ? outputCount : 0
        }
        return valid ? output : nil
    }

    /// The 6-bit value of each byte as a base64 character, or 0xFF (also for `=`).
    private static let decodeTable: [UInt8] = (0 ... 255).map { value(of: UInt8($0)) }

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
