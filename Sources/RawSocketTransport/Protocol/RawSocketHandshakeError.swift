/// The error code of a RawSocket handshake refusal: the high nibble of the server's reply
/// `0x7F | EEEE 0000 | 0x00 | 0x00`.
public struct RawSocketHandshakeErrorCode: Hashable, Sendable {
    /// The 4-bit value on the wire.
    public let networkRepresentation: UInt8

    /// A code from its 4-bit wire value; `nil` when it does not fit 4 bits.
    public init?(encoded: UInt8) {
        guard encoded < 16 else { return nil }
        networkRepresentation = encoded
    }

    private init(uncheckedValue: UInt8) { networkRepresentation = uncheckedValue }

    /// 0: illegal, must never be sent.
    public static let illegal = RawSocketHandshakeErrorCode(uncheckedValue: 0)
    /// 1: the serializer is not supported.
    public static let serializerUnsupported = RawSocketHandshakeErrorCode(uncheckedValue: 1)
    /// 2: the maximum message length is not acceptable.
    public static let maxLengthUnacceptable = RawSocketHandshakeErrorCode(uncheckedValue: 2)
    /// 3: use of reserved bits (unsupported feature).
    public static let reservedBitsUsed = RawSocketHandshakeErrorCode(uncheckedValue: 3)
    /// 4: the maximum connection count is reached.
    public static let maxConnectionCountReached = RawSocketHandshakeErrorCode(uncheckedValue: 4)
}

extension RawSocketHandshakeErrorCode: CustomStringConvertible {
    /// What the code means in words: `serializer unsupported`, `maximum connection count reached`, ...
    public var reason: String {
        switch networkRepresentation {
        case 0: return "illegal"
        case 1: return "serializer unsupported"
        case 2: return "maximum message length unacceptable"
        case 3: return "use of reserved bits"
        case 4: return "maximum connection count reached"
        default: return "unknown"
        }
    }

    /// `1 (serializer unsupported)`.
    public var description: String { "\(networkRepresentation) (\(reason))" }
}
