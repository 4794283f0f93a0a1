import Transport

/// How a subscription's topic or a registration's procedure matches the URIs published or
/// called: the `match` option of SUBSCRIBE and REGISTER.
enum URIMatchPolicy: String, Hashable, Sendable, CaseIterable {
    /// The URI equals the pattern (the default).
    case exact
    /// The URI starts with the pattern, as strings: `com.myapp.a` matches `com.myapp.a`,
    /// `com.myapp.a.b` and `com.myapp.a-b`.
    case prefix
    /// The URI has as many components as the pattern and equals it in every component that is
    /// not empty in the pattern: `com..update` matches `com.x.update`.
    case wildcard

    /// The policy in `options["match"]`, ``exact`` when absent.
    init(_ options: OptionReader) throws(InvalidOption) {
        self = try options.choice("match", default: .exact)
    }

    /// Whether `pattern` can be subscribed or registered under this policy: no empty component
    /// for ``exact``, none but a last one for ``prefix`` (`com.myapp.` names what lies below
    /// `com.myapp`), any number for ``wildcard``. (The message decoder already refused
    /// whitespace and `#`.)
    func isValidPattern(_ pattern: String) -> Bool {
        switch self {
        case .exact: return Self.isConcrete(pattern)
        case .prefix: return Self.isConcrete(pattern.utf8.last == UInt8(ascii: ".") ? String(pattern.dropLast()) : pattern)
        case .wildcard: return true
        }
    }

    /// Whether `uri` has no empty component: what PUBLISH, CALL and exact patterns need.
    static func isConcrete(_ uri: String) -> Bool {
        // A native string's bytes are scanned in place, not through the UTF-8 view's iterator
        // (a third of the instructions; this runs for every CALL and PUBLISH).
        uri.utf8.withContiguousStorageIfAvailable(isConcreteWords) ?? isConcrete(Array(uri.utf8))
    }

    /// ``isConcrete(_:)`` eight octets at a time: the dots of a word as one bit each, two dots
    /// side by side (within the word, or the last of one word and the first of the next) as
    /// those bits shifted onto each other. (About 40 instructions for a URI of 30 octets instead
    /// of 300.)
    private static func isConcreteWords(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let lows: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
        let highs: UInt64 = 0x8080_8080_8080_8080
        let dotsWord: UInt64 = 0x2e2e_2e2e_2e2e_2e2e
        var previousWasDot = true  // an empty first component counts as two dots side by side
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
            let x = word ^ dotsWord
            // The high bit of each octet that is a dot, exactly (no borrow between octets).
            let dots = ~(((x & lows) &+ lows) | x) & highs
            if dots & (dots << 8) != 0 || (previousWasDot && dots & 0x80 != 0) { return false }
            previousWasDot = dots >> 63 != 0
            offset += 8
        }
        for byte in UnsafeBufferPointer(start: base + offset, count: bytes.count - offset) {
            let isDot = byte == UInt8(ascii: ".")
            if isDot && previousWasDot { return false }
            previousWasDot = isDot
        }
        return !previousWasDot
    }

    private static func isConcrete(_ bytes: some Collection<UInt8>) -> Bool {
        var previousWasDot = true
        for byte in bytes {
            let isDot = byte == UInt8(ascii: ".")
            if isDot && previousWasDot { return false }
            previousWasDot = isDot
        }
        return !previousWasDot
    }
}
