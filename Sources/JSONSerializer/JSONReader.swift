internal import Foundation
import NIOCore
import Transport

/// Reads one JSON value into a ``WAMPValue``: checks the length, scans the bytes with
/// ``JSONInputScanner``, parses them with Foundation's `JSONSerialization` and converts the
/// resulting object tree with ``FoundationJSONConverter``.
struct JSONReader {
    /// The deepest nesting of lists and dicts accepted (at most 512, Foundation's limit).
    let maxNestingDepth: Int
    /// The longest input accepted, in bytes.
    let maxInputLength: Int

    func read(_ buffer: ByteBuffer) throws(WAMPSerializationError) -> WAMPValue {
        guard buffer.readableBytes <= maxInputLength else {
            throw WAMPSerializationError(
                .tooLarge, serializer: "json",
                "the input is \(buffer.readableBytes) bytes, more than the limit of \(maxInputLength)")
        }
        // Scan and parse in place: the parser reads the buffer's own bytes (no copy into a
        // `Data` of our own), except when raw U+FEFF characters must be escaped first.
        let (object, longNumberLiterals) = try buffer.withUnsafeReadableBytes { bytes throws(WAMPSerializationError) -> (Any, [String]) in
            let findings = try JSONInputScanner(maxNestingDepth: maxNestingDepth).scan(bytes)
            let literals = findings.longNumberLiterals.map { range in
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            if findings.byteOrderMarksInStrings.isEmpty, let base = bytes.baseAddress {
                // The `Data` does not outlive this closure: the parser copies what it keeps.
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
                return (try Self.parse(data), literals)
            }
            return (try Self.parse(Self.escapingByteOrderMarks(in: bytes, at: findings.byteOrderMarksInStrings)), literals)
        }
        var converter = FoundationJSONConverter(longNumberLiterals: longNumberLiterals)
        return try converter.value(of: object)
    }

    /// The object tree of `JSONSerialization` for `data`.
    private static func parse(_ data: Data) throws(WAMPSerializationError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            throw WAMPSerializationError(.malformed, serializer: "json", "invalid JSON: \(describe(error))")
        }
    }

    /// A copy of `bytes` with each raw U+FEFF at `offsets` (all inside strings) replaced by
    /// the escape `\ufeff`, which Foundation's parser keeps (it drops a raw U+FEFF that starts
    /// a string).
    private static func escapingByteOrderMarks(in bytes: UnsafeRawBufferPointer, at offsets: [Int]) -> Data {
        var data = Data(capacity: bytes.count + offsets.count * 3)
        var copied = 0
        for offset in offsets {
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[copied ..< offset]))
            data.append(contentsOf: #"\ufeff"#.utf8)
            copied = offset + 3
        }
        data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[copied...]))
        return data
    }

    /// The parser's own explanation ("Invalid value around character 4."), else the error.
    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let debugDescription = nsError.userInfo[NSDebugDescriptionErrorKey] as? String {
            return debugDescription
        }
        return String(describing: error)
    }
}

/// Converts the object tree of `JSONSerialization` into a ``WAMPValue`` without confusing
/// booleans, integers and doubles.
///
/// What Foundation on Linux returns, and what this maps it to:
/// - `true`/`false`: the boolean `NSNumber` subclass (`__NSCFBoolean`) → ``WAMPValue/bool(_:)``.
///   Checked by class, because `NSNumber(value: 1) as? Bool` succeeds on Linux.
/// - Integers that fit 64 bits: `NSNumber` with an integer `objCType` (`i`, `q`, or `Q` above
///   `Int64.max`) → ``WAMPValue/integer(_:)``, or ``WAMPValue/unsignedInteger(_:)`` above
///   `Int64.max`.
/// - Numbers with a fraction or exponent: `NSNumber` with `objCType` `d` → ``WAMPValue/double(_:)``.
/// - Literals of more than 17 characters before the exponent (`9007199254740992.0`,
///   `0.30000000000000004`, `-1000000000000000000`, integers beyond 64 bits): Foundation
///   returns `NSDecimalNumber`, whose value no longer tells `1.0` from `1`. These are read
///   again from their literal text, which ``JSONInputScanner`` collected: an integer literal
///   gives an integer when it fits 64 bits and else the nearest double; a literal with a
///   fraction or exponent gives the nearest double.
/// - Strings: a string starting with U+0000 is base64 binary → ``WAMPValue/binary(_:)``.
struct FoundationJSONConverter {
    /// The long number literals of the input, in document order; each is used once.
    private var longNumberLiterals: [String]

    init(longNumberLiterals: [String]) {
        self.longNumberLiterals = longNumberLiterals
    }

    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))
    private static let plainNumberClass = ObjectIdentifier(NSNumber.self)

    mutating func value(of object: Any) throws(WAMPSerializationError) -> WAMPValue {
        switch classified(object) {
        case .string(let string): return try Self.value(of: string)
        case .number(let number): return try value(of: number)
        case .list(let list): return try value(of: list)
        case .dict(let dict): return try value(of: dict)
        case .null: return .null
        case .other: return try valueWithCasts(of: object)
        }
    }

    /// The general path for any other type: conditional casts.
    private mutating func valueWithCasts(of object: Any) throws(WAMPSerializationError) -> WAMPValue {
        switch object {
        case let number as NSNumber:
            return try value(of: number)
        case is NSNull:
            return .null
        case let string as String:
            return try Self.value(of: string)
        case let dict as [String: Any]:
            return try value(of: dict)
        case let list as [Any]:
            return try value(of: list)
        default:
            throw WAMPSerializationError(
                .unsupportedType, serializer: "json", "the parser returned an unexpected \(type(of: object))")
        }
    }

    private mutating func value(of dict: [String: Any]) throws(WAMPSerializationError) -> WAMPValue {
        if dict.isEmpty { return .dict([:]) }
        // `mapValues` keeps the hash table's layout: no key is hashed again. It visits the
        // entries in the same order as iterating the dict.
        do {
            return .dict(try dict.mapValues { element throws(WAMPSerializationError) in try value(of: element) })
        } catch let error as WAMPSerializationError {
            throw error
        } catch {
            throw WAMPSerializationError(.malformed, serializer: "json", "\(error)")
        }
    }

    private mutating func value(of list: [Any]) throws(WAMPSerializationError) -> WAMPValue {
        var elements: [WAMPValue] = []
        elements.reserveCapacity(list.count)
        for element in list {
            elements.append(try value(of: element))
        }
        return .list(elements)
    }

    private static func value(of string: String) throws(WAMPSerializationError) -> WAMPValue {
        var string = string
        guard string.utf8.first == 0 else { return .string(string) }
        // Decode straight from the string's UTF-8 storage (made native and contiguous first
        // if it is not).
        let decoded = string.withUTF8 { utf8 in Base64.decode(UnsafeBufferPointer(rebasing: utf8.dropFirst())) }
        guard let bytes = decoded else {
            throw WAMPSerializationError(
                .malformed, serializer: "json",
                "a string starting with U+0000 must be followed by padded standard base64, got \"\(string.dropFirst().prefix(64))\"")
        }
        return .binary(bytes)
    }

    private mutating func value(of number: NSNumber) throws(WAMPSerializationError) -> WAMPValue {
        let numberClass = ObjectIdentifier(type(of: number))
        if numberClass == Self.plainNumberClass {
            return Self.value(ofPlainNumber: number)
        }
        if numberClass == Self.booleanClass {
            return .bool(number.boolValue)
        }
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "d"), UInt8(ascii: "f"):
            if let decimal = number as? NSDecimalNumber {
                return try Self.value(ofLiteral: literal(for: decimal))
            }
        default:
            break
        }
        return Self.value(ofPlainNumber: number)
    }

    /// A number of the class `NSNumber` itself (neither a boolean nor an `NSDecimalNumber`).
    private static func value(ofPlainNumber number: NSNumber) -> WAMPValue {
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "d"), UInt8(ascii: "f"):
            return .double(number.doubleValue)
        case UInt8(ascii: "Q"), UInt8(ascii: "L"), UInt8(ascii: "I"), UInt8(ascii: "S"), UInt8(ascii: "C"):
            return .integer(exactly: number.uint64Value)
        default:
            return .integer(number.int64Value)
        }
    }

    /// The literal text that Foundation turned into `decimal`: the first unused long literal
    /// with the same value (exact in lists, which keep document order; in dicts only a value
    /// written both as an integer and as a float could be misattributed), else its own text.
    private mutating func literal(for decimal: NSDecimalNumber) -> String {
        let value = decimal.decimalValue
        if let index = longNumberLiterals.firstIndex(where: { Decimal(string: $0) == value }) {
            return longNumberLiterals.remove(at: index)
        }
        return decimal.stringValue
    }

    /// A number from its literal text: an integer literal that fits 64 bits gives an integer,
    /// any other the nearest double.
    private static func value(ofLiteral text: String) throws(WAMPSerializationError) -> WAMPValue {
        let isInteger = !text.utf8.contains { $0 == ASCII.dot || $0 == ASCII.lowerE || $0 == ASCII.upperE }
        if isInteger {
            if let integer = Int64(text) { return .integer(integer) }
            if let integer = UInt64(text) { return .integer(exactly: integer) }
        }
        if let double = Double(text), double.isFinite { return .double(double) }
        throw WAMPSerializationError(.unsupportedValue, serializer: "json", "the number \(text) is out of range")
    }
}

/// An object of the tree of `JSONSerialization` by the type it was stored as.
private enum ClassifiedObject {
    case string(String)
    case number(NSNumber)
    case list([Any])
    case dict([String: Any])
    case null
    case other
}

/// `object` opened to the type it was stored as, and classified by that type.
///
/// (Free functions: opening an existential in a method of a type crashes the Swift 6.3
/// compiler.)
private func classified(_ object: Any) -> ClassifiedObject {
    _openExistential(object, do: classify)
}

/// Classifies one object of the tree by the exact type it was stored as, and reinterprets
/// it as that type: a conditional cast (`object as? String`, `as? [Any]`, `as? NSNumber`)
/// goes through the runtime's dynamic cast, and on Linux through Foundation's bridging,
/// which costs more than the conversion itself. Types other than the ones
/// `JSONSerialization` returns are `.other`, for the general path with casts.
private func classify<Object>(_ object: Object) -> ClassifiedObject {
    /// Only called where `Object` *is* `Target` (checked just before), so the bit cast is the
    /// identity.
    func reinterpret<Target>(_ value: Object, as target: Target.Type) -> Target {
        unsafeBitCast(value, to: Target.self)
    }
    let objectType = Object.self
    if objectType == String.self {
        return .string(reinterpret(object, as: String.self))
    }
    if objectType == NSNumber.self {
        // Stored as `NSNumber`; the object's own class tells booleans and decimals apart.
        return .number(reinterpret(object, as: NSNumber.self))
    }
    if objectType == [Any].self {
        return .list(reinterpret(object, as: [Any].self))
    }
    if objectType == [String: Any].self {
        return .dict(reinterpret(object, as: [String: Any].self))
    }
    if objectType == NSNull.self {
        return .null
    }
    return .other
}
