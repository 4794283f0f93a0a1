/// Bytes that encode as a WAMP binary value.
///
/// ``WAMPValueEncoder`` encodes a plain `[UInt8]` as a list of integers, like any array.
/// Wrap bytes in `WAMPBinary` to send them as ``WAMPValue/binary(_:)`` instead: MessagePack
/// `bin`, and in JSON a string of U+0000 followed by base64.
///
/// ```swift
/// struct Upload: Codable { var name: String; var content: WAMPBinary }
///
/// let kw = try WAMPValueEncoder().encode(Upload(name: "a.bin", content: [0xCA, 0xFE]))
/// // kw == ["name": "a.bin", "content": .binary([0xCA, 0xFE])]
/// ```
///
/// ``WAMPValueDecoder`` reads a `WAMPBinary` from a binary value and from a list of integers
/// 0 ... 255. Other encoders and decoders see a `[UInt8]`.
public struct WAMPBinary: Hashable, Sendable, Codable, ExpressibleByArrayLiteral {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps bytes.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Wraps the bytes of a literal: `let b: WAMPBinary = [0xCA, 0xFE]`.
    public init(arrayLiteral bytes: UInt8...) { self.bytes = bytes }

    /// Encodes ``WAMPValue/binary(_:)`` with ``WAMPValueEncoder``, a `[UInt8]` with any other
    /// encoder.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ValueEncoder {
            try encoder.encode(WAMPValue.binary(bytes))
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(bytes)
        }
    }

    /// Decodes a binary value or a list of integers 0 ... 255 with ``WAMPValueDecoder``, a
    /// `[UInt8]` with any other decoder.
    ///
    /// - Throws: `DecodingError.typeMismatch` for another kind of value,
    ///   `DecodingError.dataCorrupted` for a list element outside 0 ... 255.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder, case .binary(let bytes) = decoder.value {
            self.bytes = bytes
        } else {
            self.bytes = try decoder.singleValueContainer().decode([UInt8].self)
        }
    }
}

extension WAMPBinary: CustomStringConvertible {
    /// The bytes in hex, as ``WAMPValue`` shows binary values: `<cafe>`.
    public var description: String { WAMPValue.binary(bytes).description }
}
