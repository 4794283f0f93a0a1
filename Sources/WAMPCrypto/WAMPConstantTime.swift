/// Comparison whose duration does not depend on where two secrets differ: for tickets and
/// signatures, so that an attacker cannot find a secret octet by octet from response times.
public enum WAMPConstantTime {
    /// Whether `a` and `b` are equal, looking at every octet of `b` whatever the outcome (the
    /// length, which is not secret for the values compared here, may end it early).
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        var left = a.makeIterator()
        for byte in b {
            difference |= byte ^ (left.next() ?? ~byte)
        }
        return difference == 0
    }

    /// Whether the UTF-8 octets of `a` and `b` are equal: compared as the octet collections are.
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
