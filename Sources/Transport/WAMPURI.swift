/// Well-known WAMP URIs and URI checks.
public enum WAMPURI {
    /// `wamp.error.protocol_violation`: the reason of an ABORT answering a malformed message.
    public static let protocolViolation = "wamp.error.protocol_violation"
    /// `wamp.close.normal`: the usual reason of GOODBYE.
    public static let closeNormal = "wamp.close.normal"
    /// `wamp.close.goodbye_and_out`: the reason of a GOODBYE answering a GOODBYE.
    public static let goodbyeAndOut = "wamp.close.goodbye_and_out"
    /// `wamp.error.no_such_procedure`.
    public static let noSuchProcedure = "wamp.error.no_such_procedure"
    /// `wamp.error.invalid_argument`.
    public static let invalidArgument = "wamp.error.invalid_argument"

    /// Whether `uri` satisfies the loose URI rule `^([^\s\.#]+\.)*([^\s\.#]+)$`, allowing
    /// empty components (as pattern-based subscriptions and registrations do): not empty and
    /// free of whitespace and `#`.
    @inlinable
    public static func isLooselyValid(_ uri: String) -> Bool {
        let utf8 = uri.utf8
        if utf8.isEmpty { return false }
        switch utf8.withContiguousStorageIfAvailable(checkASCIIWords) ?? checkASCII(Array(utf8)) {
        case .valid: return true
        case .invalid: return false
        case .needsUnicodeCheck:
            // Rare: non-ASCII text; refuse Unicode whitespace (U+00A0, U+2003, U+3000 ...) too.
            return !uri.unicodeScalars.contains { $0 == "#" || $0.properties.isWhitespace }
        }
    }

    @usableFromInline
    enum ASCIICheck { case valid, invalid, needsUnicodeCheck }

    @inlinable
    static func checkASCII<C: Collection<UInt8>>(_ bytes: C) -> ASCIICheck {
        var sawNonASCII = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                 0x0B, 0x0C, UInt8(ascii: "#"):
                return .invalid
            case 0x80...:
                sawNonASCII = true
            default:
                continue
            }
        }
        return sawNonASCII ? .needsUnicodeCheck : .valid
    }

    /// ``checkASCII(_:)`` eight octets at a time: a word with no octet below 0x21, none equal to
    /// `#` and none above 0x7F cannot hold what the byte-wise check looks for, and is skipped;
    /// any other word, and the last few octets, go through ``checkASCII(_:)``. (A URI of 30
    /// octets is checked with about 50 instructions instead of 350.)
    @inlinable
    static func checkASCIIWords(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIICheck {
        guard let base = bytes.baseAddress else { return .valid }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var sawNonASCII = false
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            let hashes = word ^ (ones &* UInt64(UInt8(ascii: "#")))
            // Octets below 0x21 (whitespace among them) and octets equal to `#` set their high
            // bit here (and maybe the next octet's: a false alarm only sends the word to the
            // byte-wise check); octets above 0x7F set theirs in `word` itself.
            let suspect = ((word &- ones &* 0x21) & ~word) | ((hashes &- ones) & ~hashes) | word
            if suspect & highs != 0 {
                switch checkASCII(UnsafeBufferPointer(start: base + offset, count: 8)) {
                case .invalid: return .invalid
                case .needsUnicodeCheck: sawNonASCII = true
                case .valid: break
                }
            }
            offset += 8
        }
        switch checkASCII(UnsafeBufferPointer(start: base + offset, count: bytes.count - offset)) {
        case .invalid: return .invalid
        case .needsUnicodeCheck: return .needsUnicodeCheck
        case .valid: return sawNonASCII ? .needsUnicodeCheck : .valid
        }
    }

    /// Whether `uri` satisfies the strict rule `^([0-9a-z_]+\.)*([0-9a-z_]+)$`.
    public static func isStrictlyValid(_ uri: String) -> Bool {
        var previousWasDot = true
        for byte in uri.utf8 {
            switch byte {
            case UInt8(ascii: "."):
                if previousWasDot { return false }
                previousWasDot = true
            case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "_"):
                previousWasDot = false
            default:
                return false
            }
        }
        return !previousWasDot
    }
}
