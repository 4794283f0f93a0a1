/// The 4-octet RawSocket handshake: the client's request and the server's reply.
///
/// Request: `0x7F | LLLL SSSS | 0x00 | 0x00`, where `2^(9+LLLL)` is the most the client is
/// willing to receive and `SSSS` the serializer. Reply: the same layout with the server's own
/// limit and the echoed serializer, or `0x7F | EEEE 0000 | 0x00 | 0x00` to refuse with
/// error `EEEE`.
public enum RawSocketHandshake {
    /// The first octet of every handshake.
    public static let magic: UInt8 = 0x7F

    /// The smallest receive limit a handshake can announce: 2^9.
    public static let minimumMaxLength = 512
    /// The largest receive limit a handshake can announce: 2^24.
    public static let maximumMaxLength = 1 << 24

    /// Whether `length` can be announced: a power of two from 512 to 2^24.
    public static func isValidMaxLength(_ length: Int) -> Bool {
        length >= minimumMaxLength && length <= maximumMaxLength && length & (length - 1) == 0
    }

    static func lengthExponent(_ length: Int) -> UInt8 {
        UInt8(length.trailingZeroBitCount - 9)
    }

    /// The client's request.
    public struct Request: Hashable, Sendable {
        /// The most the client is willing to receive, a power of two from 512 to 2^24.
        public var maxLength: Int
        /// The serializer value, 1 ... 15.
        public var serializer: UInt8

        /// Creates a request.
        ///
        /// - Precondition: `maxLength` is a power of two from 512 to 2^24 and `serializer` in 1 ... 15.
        public init(maxLength: Int, serializer: UInt8) {
            precondition(RawSocketHandshake.isValidMaxLength(maxLength), "invalid RawSocket max length \(maxLength)")
            precondition((1 ... 15).contains(serializer), "invalid RawSocket serializer \(serializer)")
            self.maxLength = maxLength
            self.serializer = serializer
        }

        /// The request as one big-endian 32-bit word.
        public var encoded: UInt32 {
            UInt32(magic) << 24 | UInt32(lengthExponent(maxLength) << 4 | serializer) << 16
        }

        /// What a server makes of a request word.
        public enum Parsed: Hashable, Sendable {
            /// A well-formed request.
            case request(Request)
            /// A request the server answers with an error reply, then closes.
            case refuse(RawSocketHandshakeErrorCode, reason: String)
        }

        /// Parses a request word as a server does.
        ///
        /// - Throws: ``RawSocketError/Code/badMagic`` when the first octet is not 0x7F: the
        ///   server then closes without a reply.
        /// - Returns: the request, or the error reply for a serializer 0
        ///   (``RawSocketHandshakeErrorCode/serializerUnsupported``) or non-zero reserved
        ///   octets (``RawSocketHandshakeErrorCode/reservedBitsUsed``).
        public static func parse(_ word: UInt32) throws(RawSocketError) -> Parsed {
            let octets = RawSocketHandshake.octets(word)
            guard octets.0 == magic else {
                throw RawSocketError(.badMagic, "handshake starts with 0x\(hex(octets.0)) instead of 0x7f")
            }
            guard octets.2 == 0, octets.3 == 0 else {
                return .refuse(
                    .reservedBitsUsed, reason: "reserved handshake octets are 0x\(hex(octets.2)) 0x\(hex(octets.3))")
            }
            let serializer = octets.1 & 0x0F
            guard serializer != 0 else {
                return .refuse(.serializerUnsupported, reason: "serializer 0 is illegal")
            }
            let maxLength = 1 << (9 + Int(octets.1 >> 4))
            return .request(Request(maxLength: maxLength, serializer: serializer))
        }
    }

    /// The server's reply.
    public enum Reply: Hashable, Sendable {
        /// The server accepts: its own receive limit and the echoed serializer.
        case accepted(maxLength: Int, serializer: UInt8)
        /// The server refuses with an error code, then closes.
        case refused(RawSocketHandshakeErrorCode)

        /// The reply as one big-endian 32-bit word.
        public var encoded: UInt32 {
            switch self {
            case .accepted(let maxLength, let serializer):
                return UInt32(magic) << 24 | UInt32(lengthExponent(maxLength) << 4 | serializer) << 16
            case .refused(let code):
                return UInt32(magic) << 24 | UInt32(code.networkRepresentation << 4) << 16
            }
        }

        /// Parses a reply word as a client does, verifying magic, reserved octets and the
        /// echoed serializer.
        ///
        /// - Parameters:
        ///   - word: the server's 4-octet reply, big-endian.
        ///   - requestedSerializer: the serializer the client asked for.
        /// - Returns: the server's receive limit.
        /// - Throws: ``RawSocketError`` with ``RawSocketError/Code/badMagic``,
        ///   ``RawSocketError/Code/reservedBitsSet``, ``RawSocketError/Code/handshakeRefused``
        ///   (carrying the code) or ``RawSocketError/Code/serializerMismatch``.
        public static func parse(_ word: UInt32, requestedSerializer: UInt8) throws(RawSocketError) -> Int {
            let octets = RawSocketHandshake.octets(word)
            guard octets.0 == magic else {
                throw RawSocketError(.badMagic, "handshake reply starts with 0x\(hex(octets.0)) instead of 0x7f")
            }
            guard octets.2 == 0, octets.3 == 0 else {
                throw RawSocketError(
                    .reservedBitsSet, "reserved handshake reply octets are 0x\(hex(octets.2)) 0x\(hex(octets.3))")
            }
            let serializer = octets.1 & 0x0F
            if serializer == 0 {
                let code = RawSocketHandshakeErrorCode(encoded: octets.1 >> 4)!
                throw RawSocketError(.handshakeRefused, "handshake refused by the server: \(code.reason) (error \(code.networkRepresentation))", handshakeErrorCode: code)
            }
            guard serializer == requestedSerializer else {
                throw RawSocketError(
                    .serializerMismatch,
                    "the server answered with serializer \(serializer), the client asked for \(requestedSerializer)")
            }
            return 1 << (9 + Int(octets.1 >> 4))
        }
    }

    static func octets(_ word: UInt32) -> (UInt8, UInt8, UInt8, UInt8) {
        (UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
         UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word))
    }

    static func hex(_ byte: UInt8) -> String {
        byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
    }
}
