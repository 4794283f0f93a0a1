extension WAMPValue: Codable {
    /// Encodes the value in its natural shape.
    ///
    /// With ``WAMPValueEncoder`` the value is kept exactly as it is. With any other encoder
    /// (`JSONEncoder`, a property-list encoder, ...) it becomes `nil`, a `Bool`, an `Int64`,
    /// a `UInt64`, a `Double`, a `String`, an array or a dictionary with string keys; a
    /// ``binary(_:)`` value, which such formats cannot tell apart, is encoded as its bytes:
    /// a `[UInt8]` (a list of integers).
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? ValueEncoder {
            try encoder.encode(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .integer(let v): try container.encode(v)
        case .unsignedInteger(let v): try container.encode(v)
        case .double(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .binary(let v): try container.encode(v)
        case .list(let v): try container.encode(v)
        case .dict(let v): try container.encode(v)
        }
    }

    /// Decodes whatever value the decoder holds.
    ///
    /// With ``WAMPValueDecoder`` the value is taken exactly as it is. With any other decoder
    /// the kinds are tried in this order: `nil`, `Bool`, `Int64`, `UInt64`, `Double`,
    /// `String`, a list, a dictionary with string keys. So the decoder decides between
    /// integer and double (`JSONDecoder` reads `2` as an integer and `2.5` as a double), and
    /// bytes arrive as a list of integers.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when the value is none of these.
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder {
            self = decoder.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let v = try? container.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? container.decode(Int64.self) {
            self = .integer(v)
        } else if let v = try? container.decode(UInt64.self) {
            self = .integer(exactly: v)
        } else if let v = try? container.decode(Double.self) {
            self = .double(v)
        } else if let v = try? container.decode(String.self) {
            self = .string(v)
        } else if let v = try? container.decode([WAMPValue].self) {
            self = .list(v)
        } else if let v = try? container.decode([String: WAMPValue].self) {
            self = .dict(v)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "The value is not null, a boolean, a number, a string, a list or a dict with string keys.")
        }
    }
}
