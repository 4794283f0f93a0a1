/// Decodes `Decodable` values straight from a ``WAMPValue``: the `Args`, `Kw`, `Details` or
/// `Options` of a received message. No JSON is produced on the way.
///
/// The decoder is strict where WAMP is, and lenient where peers legitimately differ:
///
/// - `Bool` accepts only ``WAMPValue/bool(_:)``: `1` is not `true`.
/// - Integer types accept only ``WAMPValue/integer(_:)`` and ``WAMPValue/unsignedInteger(_:)``,
///   and check the range: `300` decoded as `UInt8` throws `DecodingError.dataCorrupted`.
///   A double is never truncated to an integer.
/// - `Double` and `Float` accept doubles and integers (JSON peers send `1` for `1.0`).
/// - `String` accepts only ``WAMPValue/string(_:)``.
/// - ``WAMPBinary`` accepts ``WAMPValue/binary(_:)`` and a list of integers 0 ... 255; a
///   `[UInt8]` (like any array) accepts a list and, as its bytes, a ``WAMPValue/binary(_:)``.
/// - ``WAMPValue`` accepts anything, unchanged.
/// - A missing key throws `DecodingError.keyNotFound`, except for optional properties, which
///   read a missing key or ``WAMPValue/null`` as `nil`. Keys the type does not know are ignored.
///
/// ```swift
/// struct Order: Codable { var item: String; var quantity: Int; var note: String? }
///
/// let order = try WAMPValueDecoder().decode(Order.self, from: ["item": "tea", "quantity": 2])
/// ```
public struct WAMPValueDecoder: Sendable {
    /// Contextual information handed to the types' `init(from:)` as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    /// Decodes a value of type `type` from `value`.
    ///
    /// - Throws: `DecodingError`: `typeMismatch` when a value has the wrong kind,
    ///   `dataCorrupted` when a number does not fit the type, `keyNotFound` when a required
    ///   key is missing, `valueNotFound` when a list is too short or a required value is
    ///   ``WAMPValue/null``. The error's coding path names the offending field.
    public func decode<T: Decodable>(_ type: T.Type = T.self, from value: WAMPValue) throws -> T {
        try decode(T.self, from: value, codingPath: [])
    }

    /// Decodes `value` found at `codingPath` (for errors that name the argument's place).
    func decode<T: Decodable>(_ type: T.Type, from value: WAMPValue, codingPath: [any CodingKey]) throws -> T {
        try ValueDecoder(value: value, codingPath: codingPath, userInfo: userInfo).unbox(T.self)
    }
}

// MARK: - Implementation

/// The `Decoder` handed to `init(from:)`; it is also its own single-value container.
struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: WAMPValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(value: WAMPValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.value = value
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    /// A decoder for a nested value.
    func child(_ value: WAMPValue, key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfo)
    }

    func unbox<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == WAMPValue.self { return value as! T }
        return try T(from: self)
    }

    func typeMismatch(_ type: Any.Type, expected: String? = nil) -> DecodingError {
        let what = expected ?? "\(type)"
        if value.isNull {
            return DecodingError.valueNotFound(
                type, .init(codingPath: codingPath, debugDescription: "Expected \(what) but found null instead."))
        }
        return DecodingError.typeMismatch(
            type,
            .init(codingPath: codingPath, debugDescription: "Expected \(what) but found \(value.briefDescription) instead."))
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .dict(let dict) = value else {
            throw typeMismatch([String: WAMPValue].self, expected: "a dict")
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, dict: dict))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .list(let elements):
            return UnkeyedContainer(decoder: self, elements: elements)
        case .binary(let bytes):
            // Bytes read as a list of integers, so that `[UInt8]` accepts a binary value.
            return UnkeyedContainer(decoder: self, elements: bytes.map { .integer(Int64($0)) })
        default:
            throw typeMismatch([WAMPValue].self, expected: "a list")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let v) = value else { throw typeMismatch(Bool.self) }
        return v
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let v) = value else { throw typeMismatch(String.self) }
        return v
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let v): return v
        case .integer(let v): return Double(v)
        case .unsignedInteger(let v): return Double(v)
        default: throw typeMismatch(Double.self, expected: "a number")
        }
    }

    func decode(_ type: Float.Type) throws -> Float {
        let double = try decode(Double.self)
        let float = Float(double)
        guard float.isFinite || !double.isFinite else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "The number \(double) does not fit in Float."))
        }
        return float
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let converted: I?
        switch value {
        case .integer(let v): converted = I(exactly: v)
        case .unsignedInteger(let v): converted = I(exactly: v)
        default: throw typeMismatch(I.self, expected: "an integer (\(I.self))")
        }
        guard let converted else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "The integer \(value) does not fit in \(I.self)."))
        }
        return converted
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(type) }
}

// MARK: - Keyed

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    let dict: [String: WAMPValue]

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { dict.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { dict[key.stringValue] != nil }

    private func child(_ key: Key) throws -> ValueDecoder {
        guard let value = dict[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value for the key \"\(key.stringValue)\"."))
        }
        return decoder.child(value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(type) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try child(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(type) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try child(key).integer(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).unbox(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    // A missing super key reads as null, as in `JSONDecoder`.
    func superDecoder() throws -> any Decoder {
        decoder.child(dict[WAMPCodingKey.super.stringValue] ?? .null, key: WAMPCodingKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(dict[key.stringValue] ?? .null, key: key)
    }
}

// MARK: - Unkeyed

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let elements: [WAMPValue]
    private(set) var currentIndex = 0

    init(decoder: ValueDecoder, elements: [WAMPValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The decoder of the current element; the index moves on only when decoding succeeds.
    private func current(_ type: Any.Type) throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: codingPath + [WAMPCodingKey(index: currentIndex)],
                    debugDescription: "The list has only \(elements.count) elements."))
        }
        return decoder.child(elements[currentIndex], key: WAMPCodingKey(index: currentIndex))
    }

    private mutating func next<T>(_ type: T.Type, _ body: (ValueDecoder) throws -> T) throws -> T {
        let value = try body(current(type))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Never?.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.integer(type) } }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.integer(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.integer(type) } }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try next(type) { try $0.integer(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.unbox(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next((any Decoder).self) { $0 }
    }
}

extension WAMPValue {
    /// A short, bounded description for coding errors: `integer 300`, `string "abc"`,
    /// `a list of 3 elements`.
    fileprivate var briefDescription: String {
        switch self {
        case .null: return "null"
        case .bool, .integer, .unsignedInteger, .double: return "\(kindName) \(self)"
        case .string(let s):
            return s.count <= 40 ? "string \"\(s)\"" : "string \"\(s.prefix(40))...\" (\(s.count) characters)"
        case .binary(let b): return "binary of \(b.count) bytes"
        case .list(let l): return "a list of \(l.count) elements"
        case .dict(let d): return "a dict of \(d.count) entries"
        }
    }
}
