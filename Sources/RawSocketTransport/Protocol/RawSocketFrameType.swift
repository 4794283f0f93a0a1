/// The type of a RawSocket frame: the low three bits of the header's first octet.
///
/// An open struct like NIO's `WebSocketOpcode`: the reserved values 3 ... 7 are
/// representable so that errors can name them.
public struct RawSocketFrameType: Hashable, Sendable {
    /// The 3-bit value on the wire.
    public let networkRepresentation: UInt8

    /// A frame type from its 3-bit wire value; `nil` when `encoded` does not fit 3 bits.
    public init?(encoded: UInt8) {
        guard encoded < 8 else { return nil }
        networkRepresentation = encoded
    }

    private init(uncheckedValue: UInt8) { networkRepresentation = uncheckedValue }

    /// 0: a regular WAMP message.
    public static let message = RawSocketFrameType(uncheckedValue: 0)
    /// 1: a PING; the peer answers with a PONG echoing the payload.
    public static let ping = RawSocketFrameType(uncheckedValue: 1)
    /// 2: a PONG answering a PING.
    public static let pong = RawSocketFrameType(uncheckedValue: 2)

    /// Whether the type is one of the three defined ones (0, 1, 2).
    public var isDefined: Bool { networkRepresentation <= 2 }
}

extension RawSocketFrameType: CustomStringConvertible {
    public var description: String {
        switch networkRepresentation {
        case 0: return "MESSAGE"
        case 1: return "PING"
        case 2: return "PONG"
        default: return "RESERVED(\(networkRepresentation))"
        }
    }
}
