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
        let count = encoded.count
        guard count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count / 4 * 3)
        var iterator = encoded.makeIterator()
        var remaining = count
        while remaining > 0 {
            let a = iterator.next()!, b = iterator.next()!, c = iterator.next()!, d = iterator.next()!
            remaining -= 4
            let va = value(of: a), vb = value(of: b)
            guard va != invalid, vb != invalid else { return nil }
            let isLast = remaining == 0
            output.append(va << 2 | vb >> 4)
            if isLast, c == UInt8(ascii: "="), d == UInt8(ascii: "=") { break }
            let vc = value(of: c)
            guard vc != invalid else { return nil }
            output.append(vb << 4 | vc >> 2)
            if isLast, d == UInt8(ascii: "=") { break }
            let vd = value(of: d)
            guard vd != invalid else { return nil }
            output.append(vc << 6 | vd)
        }
        return output
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
