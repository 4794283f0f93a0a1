internal import Foundation
import NIOCore
import Transport

/// Reads one JSON value into a ``WAMPValue``: checks the limits, scans the bytes with
/// ``JSONInputScanner``, parses them with Foundation's `JSONSerialization` and converts the
/// resulting object tree.
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
        let data = try buffer.withUnsafeReadableBytes { bytes throws(WAMPSerializationError) in
            try JSONInputScanner(maxNestingDepth: maxNestingDepth).scan(bytes)
            return Data(bytes)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        } catch {
            throw WAMPSerializationError(.malformed, serializer: "json", "invalid JSON: \(Self.describe(error))")
        }
        return try FoundationJSONConverter.value(of: object)
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
/// - Integers: `NSNumber` with an integer `objCType` (`i`, `q`; `Q` above `Int64.max`) →
///   ``WAMPValue/integer(_:)``, or ``WAMPValue/unsignedInteger(_:)`` above `Int64.max`.
/// - Numbers with a fraction or exponent: `NSNumber` with `objCType` `d` → ``WAMPValue/double(_:)``.
/// - Numbers the parser keeps as `NSDecimalNumber` (integers outside `Int64.min + 1 ...
///   UInt64.max`, including `Int64.min` itself, and more than 17 significant digits): read
///   back from their decimal text, as an integer when one fits, else as the nearest double.
/// - Strings: a string starting with U+0000 is base64 binary → ``WAMPValue/binary(_:)``.
enum FoundationJSONConverter {
    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))

    static func value(of object: Any) throws(WAMPSerializationError) -> WAMPValue {
        switch object {
        case let string as String:
            return try value(of: string)
        case let number as NSNumber:
            return try value(of: number)
        case let dict as [String: Any]:
            var entries = [String: WAMPValue](minimumCapacity: dict.count)
            for (key, element) in dict {
                entries[key] = try value(of: element)
            }
            return .dict(entries)
        case let list as [Any]:
            var elements: [WAMPValue] = []
            elements.reserveCapacity(list.count)
            for element in list {
                elements.append(try value(of: element))
            }
            return .list(elements)
        case is NSNull:
            return .null
        default:
            throw WAMPSerializationError(
                .unsupportedType, serializer: "json", "the parser returned an unexpected \(type(of: object))")
        }
    }

    private static func value(of string: String) throws(WAMPSerializationError) -> WAMPValue {
        let utf8 = string.utf8
        guard utf8.first == 0 else { return .string(string) }
        guard let bytes = Base64.decode(utf8.dropFirst()) else {
            throw WAMPSerializationError(
                .malformed, serializer: "json",
                "a string starting with U+0000 must be followed by padded standard base64, got \"\(string.dropFirst().prefix(64))\"")
        }
        return .binary(bytes)
    }

    private static func value(of number: NSNumber) throws(WAMPSerializationError) -> WAMPValue {
        if ObjectIdentifier(type(of: number)) == booleanClass {
            return .bool(number.boolValue)
        }
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "d"), UInt8(ascii: "f"):
            if let decimal = number as? NSDecimalNumber {
                return try value(ofDecimalText: decimal.stringValue)
            }
            return .double(number.doubleValue)
        case UInt8(ascii: "Q"), UInt8(ascii: "L"), UInt8(ascii: "I"), UInt8(ascii: "S"), UInt8(ascii: "C"):
            return .integer(exactly: number.uint64Value)
        default:
            return .integer(number.int64Value)
        }
    }

    /// A number that `NSDecimalNumber` holds, from its exact decimal text.
    private static func value(ofDecimalText text: String) throws(WAMPSerializationError) -> WAMPValue {
        if let integer = Int64(text) { return .integer(integer) }
        if let integer = UInt64(text) { return .integer(exactly: integer) }
        if let double = Double(text), double.isFinite { return .double(double) }
        throw WAMPSerializationError(.unsupportedValue, serializer: "json", "the number \(text) is out of range")
    }
}
