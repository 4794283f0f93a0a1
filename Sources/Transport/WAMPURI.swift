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
        return utf8.withContiguousStorageIfAvailable(check) ?? check(Array(utf8))
    }

    @inlinable
    static func check<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                 0x0B, 0x0C, UInt8(ascii: "#"):
                return false
            default:
                continue
            }
        }
        return true
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
