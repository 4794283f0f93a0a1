/// Encodes `Encodable` values straight into a ``WAMPValue``, ready to be the `Args`, `Kw`,
/// `Details` or `Options` of a message. No JSON is produced on the way.
///
/// | Swift | ``WAMPValue`` |
/// |---|---|
/// | `nil` | ``WAMPValue/null`` |
/// | `Bool` | ``WAMPValue/bool(_:)`` |
/// | `Int`, `Int8` ... `Int64`, `UInt` ... `UInt64`; `Int128`, `UInt128` within 64 bits | ``WAMPValue/integer(_:)`` |
/// | the same, above `Int64.max` | ``WAMPValue/unsignedInteger(_:)`` |
/// | `Float`, `Double` | ``WAMPValue/double(_:)`` |
/// | `String` | ``WAMPValue/string(_:)`` |
/// | ``WAMPBinary`` | ``WAMPValue/binary(_:)`` |
/// | arrays (`[UInt8]` too: a list of integers), sets | ``WAMPValue/list(_:)`` |
/// | structs, classes, dictionaries with `String` or `Int` keys | ``WAMPValue/dict(_:)`` |
/// | ``WAMPValue`` | itself, unchanged |
///
/// A `nil` optional property is left out of its dict, as `JSONEncoder` does; the
/// ``WAMPValueDecoder`` reads a missing key back as `nil`.
///
/// ```swift
/// struct Order: Codable { var item: String; var quantity: Int; var note: String? }
///
/// let kw = try WAMPValueEncoder().encode(Order(item: "tea", quantity: 2, note: nil))
/// // kw == ["item": "tea", "quantity": 2]
/// ```
public struct WAMPValueEncoder: Sendable {
    /// Contextual information handed to the values' `encode(to:)` as `encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates an encoder.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    /// Encodes a value.
    ///
    /// - Throws: `EncodingError.invalidValue` when the value encodes nothing at all, when an
    ///   `Int128` or `UInt128` does not fit 64 bits, or when the value's `encode(to:)` misuses
    ///   its containers (two values in one single-value container, a keyed and an unkeyed
    ///   container for the same value). The error's coding path names the offending field.
    public func encode<T: Encodable>(_ value: T) throws -> WAMPValue {
        if let direct = ValueEncoder.direct(value) { return direct }
        let encoder = ValueEncoder(codingPath: [], userInfo: userInfo, state: EncodingState())
        try value.encode(to: encoder)
        if let error = encoder.state.error { throw error }
        guard encoder.node.kind != .empty else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return encoder.node.value
    }
}

// MARK: - Implementation

/// Errors that a container request could not throw, thrown when the top-level encode ends.
final class EncodingState {
    private(set) var error: EncodingError?

    func record(_ error: EncodingError) {
        if self.error == nil { self.error = error }
    }
}

/// A value under construction. Containers hold a reference to their node, so that nested
/// containers and super-encoders written after they were handed out still land in place.
final class EncodingNode {
    enum Kind { case empty, single, list, dict }

    enum Slot {
        case value(WAMPValue)
        case node(EncodingNode)

        var value: WAMPValue {
            switch self {
            case .value(let v): return v
            case .node(let n): return n.value
            }
        }
    }

    var kind: Kind
    var single: WAMPValue = .null
    var list: [Slot] = []
    var dict: [String: Slot] = [:]

    init(_ kind: Kind = .empty) { self.kind = kind }

    /// The finished value; a node that received nothing is an empty dict (as in `JSONEncoder`).
    var value: WAMPValue {
        switch kind {
        case .empty: return .dict([:])
        case .single: return single
        case .list: return .list(list.map(\.value))
        case .dict: return .dict(dict.mapValues(\.value))
        }
    }
}

/// The `Encoder` handed to `encode(to:)`; it is also its own single-value container.
final class ValueEncoder: Encoder, SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    let state: EncodingState

    init(
        node: EncodingNode = EncodingNode(), codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any],
        state: EncodingState
    ) {
        self.node = node
        self.codingPath = codingPath
        self.userInfo = userInfo
        self.state = state
    }

    /// The value of the types that need no `Encoder`: WAMP values, ``WAMPBinary`` and the
    /// most common primitives.
    @inline(__always)
    static func direct<T: Encodable>(_ value: T) -> WAMPValue? {
        switch value {
        case let v as WAMPValue: return v
        case let v as String: return .string(v)
        case let v as Int: return .integer(Int64(v))
        case let v as Int64: return .integer(v)
        case let v as Double: return .double(v)
        case let v as Bool: return .bool(v)
        case let v as WAMPBinary: return .binary(v.bytes)
        default: return nil
        }
    }

    /// Encodes a nested value at `codingPath` into a finished ``WAMPValue``.
    func box<T: Encodable>(_ value: T, at codingPath: [any CodingKey]) throws -> WAMPValue {
        if let direct = Self.direct(value) { return direct }
        let encoder = ValueEncoder(codingPath: codingPath, userInfo: userInfo, state: state)
        try value.encode(to: encoder)
        return encoder.node.value
    }

    /// An integer of any width as a WAMP integer.
    static func integer<I: BinaryInteger>(
        _ value: I, at codingPath: @autoclosure () -> [any CodingKey]
    ) throws -> WAMPValue {
        if let v = Int64(exactly: value) { return .integer(v) }
        if let v = UInt64(exactly: value) { return .unsignedInteger(v) }
        throw EncodingError.invalidValue(
            value,
            .init(
                codingPath: codingPath(),
                debugDescription: "\(I.self) \(value) does not fit in 64 bits; WAMP integers are Int64 or UInt64."))
    }

    private func containerConflict(_ requested: String) -> EncodingNode {
        let existing: String
        switch node.kind {
        case .single: existing = "a single value"
        case .list: existing = "an unkeyed container"
        case .dict: existing = "a keyed container"
        case .empty: existing = "nothing"
        }
        state.record(
            EncodingError.invalidValue(
                node.value,
                .init(
                    codingPath: codingPath,
                    debugDescription: "Requested \(requested) for a value that already holds \(existing)")))
        // A detached node: what is written there is dropped, and the error reported at the end.
        return EncodingNode(requested == "a keyed container" ? .dict : .list)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let target: EncodingNode
        switch node.kind {
        case .empty:
            node.kind = .dict
            target = node
        case .dict:
            target = node
        case .single, .list:
            target = containerConflict("a keyed container")
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, node: target, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let target: EncodingNode
        switch node.kind {
        case .empty:
            node.kind = .list
            target = node
        case .list:
            target = node
        case .single, .dict:
            target = containerConflict("an unkeyed container")
        }
        return UnkeyedContainer(encoder: self, node: target, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    private func set(_ value: WAMPValue) throws {
        guard node.kind == .empty else {
            throw EncodingError.invalidValue(
                value,
                .init(
                    codingPath: codingPath,
                    debugDescription: "A single-value container can hold one value only, and this one is already written"))
        }
        node.kind = .single
        node.single = value
    }

    func encodeNil() throws { try set(.null) }
    func encode(_ value: Bool) throws { try set(.bool(value)) }
    func encode(_ value: String) throws { try set(.string(value)) }
    func encode(_ value: Double) throws { try set(.double(value)) }
    func encode(_ value: Float) throws { try set(.double(Double(value))) }
    func encode(_ value: Int) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: Int8) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: Int16) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: Int32) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: Int64) throws { try set(Self.integer(value, at: codingPath)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: UInt) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: UInt8) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: UInt16) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: UInt32) throws { try set(Self.integer(value, at: codingPath)) }
    func encode(_ value: UInt64) throws { try set(Self.integer(value, at: codingPath)) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { try set(Self.integer(value, at: codingPath)) }
    func encode<T: Encodable>(_ value: T) throws { try set(box(value, at: codingPath)) }
}

// MARK: - Keyed

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func set(_ value: WAMPValue, _ key: Key) { node.dict[key.stringValue] = .value(value) }

    private func integer<I: BinaryInteger>(_ value: I, _ key: Key) throws {
        set(try ValueEncoder.integer(value, at: codingPath + [key]), key)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try integer(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try encoder.box(value, at: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode(.dict)
        node.dict[key.stringValue] = .node(child)
        return KeyedEncodingContainer(
            KeyedContainer<NestedKey>(encoder: encoder, node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode(.list)
        node.dict[key.stringValue] = .node(child)
        return UnkeyedContainer(encoder: encoder, node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { makeSuperEncoder(WAMPCodingKey.super) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { makeSuperEncoder(key) }

    private func makeSuperEncoder(_ key: any CodingKey) -> any Encoder {
        let child = EncodingNode()
        node.dict[key.stringValue] = .node(child)
        return ValueEncoder(node: child, codingPath: codingPath + [key], userInfo: encoder.userInfo, state: encoder.state)
    }
}

// MARK: - Unkeyed

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.list.count }

    private var nextPath: [any CodingKey] { codingPath + [WAMPCodingKey(index: count)] }

    private func append(_ value: WAMPValue) { node.list.append(.value(value)) }

    private func integer<I: BinaryInteger>(_ value: I) throws {
        append(try ValueEncoder.integer(value, at: nextPath))
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try integer(value) }
    mutating func encode(_ value: Int8) throws { try integer(value) }
    mutating func encode(_ value: Int16) throws { try integer(value) }
    mutating func encode(_ value: Int32) throws { try integer(value) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: Int128) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { try integer(value) }
    mutating func encode(_ value: UInt16) throws { try integer(value) }
    mutating func encode(_ value: UInt32) throws { try integer(value) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
    mutating func encode(_ value: UInt128) throws { try integer(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try encoder.box(value, at: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let child = EncodingNode(.dict)
        node.list.append(.node(child))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder, node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let child = EncodingNode(.list)
        node.list.append(.node(child))
        return UnkeyedContainer(encoder: encoder, node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        let child = EncodingNode()
        node.list.append(.node(child))
        return ValueEncoder(node: child, codingPath: path, userInfo: encoder.userInfo, state: encoder.state)
    }
}
