public import NIOCore

/// The 4-octet header in front of every RawSocket frame: `RRRR XTTT | L23..L16 | L15..L8 | L7..L0`.
///
/// `TTT` is the ``RawSocketFrameType``, `L` the 24-bit payload length and `X` a 25th
/// length bit used only for a payload of exactly 2^24 octets; `RRRR` must be zero.
public struct RawSocketFrameHeader: Hashable, Sendable {
    /// The size of the header in octets.
    public static let size = 4
    /// The largest payload a frame can carry: 2^24 octets (with the X bit).
    public static let maxPayloadLength = 1 << 24

    /// The frame type.
    public var type: RawSocketFrameType
    /// The payload length in octets, 0 ... 2^24.
    public var length: Int

    /// Creates a header.
    ///
    /// - Precondition: `length` is in `0 ... 2^24`.
    public init(type: RawSocketFrameType, length: Int) {
        precondition((0 ... Self.maxPayloadLength).contains(length), "RawSocket payload length \(length) out of range")
        self.type = type
        self.length = length
    }

    /// The header as one big-endian 32-bit word.
    @inlinable
    public var encoded: UInt32 {
        if length == Self.maxPayloadLength {
            // Exactly 2^24: the X bit (0x08 of the first octet) and all 24 length bits zero.
            return UInt32(0x08 | type.networkRepresentation) << 24
        }
        return UInt32(type.networkRepresentation) << 24 | UInt32(length)
    }

    /// Writes the header.
    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(encoded)
    }

    /// Parses and validates a header word.
    ///
    /// - Parameters:
    ///   - word: the frame's 4-octet header, big-endian.
    ///   - maxLength: the receive limit this side announced; a longer frame is
    ///     refused here, before any of its payload is buffered.
    /// - Throws: ``RawSocketError`` with code ``RawSocketError/Code/reservedBitsSet``,
    ///   ``RawSocketError/Code/reservedFrameType``, ``RawSocketError/Code/frameTooLarge``.
    public init(parsing word: UInt32, maxLength: Int) throws(RawSocketError) {
        let first = UInt8(truncatingIfNeeded: word >> 24)
        guard first & 0xF0 == 0 else {
            throw RawSocketError(.reservedBitsSet, "frame header reserved bits set: first octet 0x\(String(first, radix: 16))")
        }
        let type = RawSocketFrameType(encoded: first & 0x07)!
        guard type.isDefined else {
            throw RawSocketError(.reservedFrameType, "frame type \(type.networkRepresentation) is reserved")
        }
        var length = Int(word & 0x00FF_FFFF)
        if first & 0x08 != 0 {
            guard length == 0 else {
                throw RawSocketError(
                    .reservedBitsSet, "length bit X set with non-zero low length bits (0x\(String(length, radix: 16)))")
            }
            length = Self.maxPayloadLength
        }
        guard length <= maxLength else {
            throw RawSocketError(
                .frameTooLarge, "\(type) frame of \(length) octets exceeds the announced limit of \(maxLength) octets")
        }
        self.type = type
        self.length = length
    }
}
