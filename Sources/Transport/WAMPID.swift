/// WAMP IDs: session, request, publication, subscription and registration IDs.
///
/// IDs are integers in `1 ... 2^53` (`WAMPID.wampRange`), so that they fit a double in every
/// language without loss.
public typealias WAMPID = UInt64

extension WAMPID {
    /// The largest valid WAMP ID: 2^53.
    public static let wampMax: UInt64 = 1 << 53

    /// The valid range of WAMP IDs: 1 ... 2^53.
    public static let wampRange: ClosedRange<UInt64> = 1 ... (1 << 53)
}
