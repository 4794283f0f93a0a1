/// A dynamically typed value of a WAMP payload: what a WAMP message carries in its
/// `Details`, `Options`, `Args` and `Kw` elements.
///
/// The cases mirror what JSON and MessagePack can express and keep integers, doubles and
/// booleans apart: `.bool(true)` is never equal to `.integer(1)`, and `.integer(1)` is never
/// equal to `.double(1.0)`.
///
/// Integers that do not fit `Int64` (unsigned 64-bit values above `Int64.max`, which
/// MessagePack and JSON peers may send) are kept exactly in ``unsignedInteger(_:)``.
/// Decoders produce ``unsignedInteger(_:)`` only for such values; for comparisons an
/// `.unsignedInteger(5)` equals `.integer(5)`.
///
/// Literals make payloads read naturally:
///
/// ```swift
/// let kw: WAMPValue = ["a": 1, "b": [true, 2.5], "c": nil]
/// ```
public enum WAMPValue: Sendable {
    /// JSON `null`, MessagePack `nil`.
    case null
    /// A boolean; never confused with the integers 0 and 1.
    case bool(Bool)
    /// A signed integer.
    case integer(Int64)
    /// An unsigned integer above `Int64.max`.
    case unsignedInteger(UInt64)
    /// A floating-point number.
    case double(Double)
    /// A Unicode string.
    case string(String)
    /// Raw bytes (MessagePack `bin`; in JSON a string of U+0000 followed by base64).
    case binary([UInt8])
    /// An ordered list.
    case list([WAMPValue])
    /// A dictionary with string keys.
    case dict([String: WAMPValue])
}

extension WAMPValue: Hashable {
    /// Whether two values are the same: same kind and same contents, except that an
    /// ``unsignedInteger(_:)`` equals the ``integer(_:)`` of the same number, and NaN equals NaN.
    /// A boolean never equals an integer, and an integer never equals a double.
    public static func == (lhs: WAMPValue, rhs: WAMPValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.unsignedInteger(a), .unsignedInteger(b)): return a == b
        case let (.integer(a), .unsignedInteger(b)), let (.unsignedInteger(b), .integer(a)):
            return a >= 0 && UInt64(a) == b
        case let (.double(a), .double(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.binary(a), .binary(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.dict(a), .dict(b)): return a == b
        default: return false
        }
    }

    /// Hashes the value consistently with `==` (equal integers hash alike whatever their case).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(1); hasher.combine(v)
        case .integer(let v):
            hasher.combine(2)
            if v >= 0 { hasher.combine(UInt64(v)) } else { hasher.combine(v) }
        case .unsignedInteger(let v): hasher.combine(2); hasher.combine(v)
        case .double(let v): hasher.combine(3); hasher.combine(v.isNaN ? .nan : v)
        case .string(let v): hasher.combine(4); hasher.combine(v)
        case .binary(let v): hasher.combine(5); hasher.combine(v)
        case .list(let v): hasher.combine(6); hasher.combine(v)
        case .dict(let v): hasher.combine(7); hasher.combine(v)
        }
    }
}

extension WAMPValue {
    /// Makes an integer value from any unsigned 64-bit number, choosing
    /// ``integer(_:)`` when it fits `Int64`.
    @inlinable
    public static func integer(exactly value: UInt64) -> WAMPValue {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : .unsignedInteger(value)
    }

    /// Whether this is ``null``.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The boolean, if this is ``bool(_:)``.
    public var boolValue: Bool? { if case .bool(let v) = self { return v } else { return nil } }

    /// The integer, if this is an integer that fits `Int64`.
    public var int64Value: Int64? {
        switch self {
        case .integer(let v): return v
        case .unsignedInteger(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    /// The integer, if this is a non-negative integer.
    public var uint64Value: UInt64? {
        switch self {
        case .integer(let v): return v >= 0 ? UInt64(v) : nil
        case .unsignedInteger(let v): return v
        default: return nil
        }
    }

    /// The number as a `Double`, if this is a double or an integer.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .integer(let v): return Double(v)
        case .unsignedInteger(let v): return Double(v)
        default: return nil
        }
    }

    /// The string, if this is ``string(_:)``.
    public var stringValue: String? { if case .string(let v) = self { return v } else { return nil } }

    /// The bytes, if this is ``binary(_:)``.
    public var binaryValue: [UInt8]? { if case .binary(let v) = self { return v } else { return nil } }

    /// The elements, if this is ``list(_:)``.
    public var listValue: [WAMPValue]? { if case .list(let v) = self { return v } else { return nil } }

    /// The entries, if this is ``dict(_:)``.
    public var dictValue: [String: WAMPValue]? { if case .dict(let v) = self { return v } else { return nil } }

    /// The element at `index` of a list, or `nil`.
    public subscript(index: Int) -> WAMPValue? {
        guard case .list(let v) = self, v.indices.contains(index) else { return nil }
        return v[index]
    }

    /// The entry for `key` of a dictionary, or `nil`.
    public subscript(key: String) -> WAMPValue? {
        guard case .dict(let v) = self else { return nil }
        return v[key]
    }

    /// A short name of the case, used in error messages ("integer", "dict", ...).
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .integer, .unsignedInteger: return "integer"
        case .double: return "double"
        case .string: return "string"
        case .binary: return "binary"
        case .list: return "list"
        case .dict: return "dict"
        }
    }
}

extension WAMPValue: CustomStringConvertible {
    /// A JSON-like rendering for logs and transcripts (binary as `<hex>`).
    public var description: String {
        var out = ""
        Self.describe(self, into: &out)
        return out
    }

    private static func quote(_ string: String, into out: inout String) {
        out += "\""
        for character in string.unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where character.value < 0x20: out += "\\u{\(String(character.value, radix: 16))}"
            default: out.unicodeScalars.append(character)
            }
        }
        out += "\""
    }

    private static func describe(_ value: WAMPValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let v): out += v ? "true" : "false"
        case .integer(let v): out += String(v)
        case .unsignedInteger(let v): out += String(v)
        case .double(let v): out += String(v)
        case .string(let v): quote(v, into: &out)
        case .binary(let v):
            out += "<"
            for byte in v.prefix(32) {
                out += String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
            }
            if v.count > 32 { out += "... \(v.count) bytes" }
            out += ">"
        case .list(let v):
            out += "["
            for (i, e) in v.enumerated() {
                if i > 0 { out += ", " }
                describe(e, into: &out)
            }
            out += "]"
        case .dict(let v):
            out += "{"
            for (i, key) in v.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                quote(key, into: &out)
                out += ": "
                describe(v[key]!, into: &out)
            }
            out += "}"
        }
    }
}
