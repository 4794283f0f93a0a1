/// The ASCII bytes the JSON writer and scanner need.
enum ASCII {
    static var quote: UInt8 { UInt8(ascii: "\"") }
    static var backslash: UInt8 { UInt8(ascii: "\\") }
    static var openBracket: UInt8 { UInt8(ascii: "[") }
    static var closeBracket: UInt8 { UInt8(ascii: "]") }
    static var openBrace: UInt8 { UInt8(ascii: "{") }
    static var closeBrace: UInt8 { UInt8(ascii: "}") }
    static var comma: UInt8 { UInt8(ascii: ",") }
    static var colon: UInt8 { UInt8(ascii: ":") }
    static var minus: UInt8 { UInt8(ascii: "-") }
    static var dot: UInt8 { UInt8(ascii: ".") }
    static var zero: UInt8 { UInt8(ascii: "0") }
    static var nine: UInt8 { UInt8(ascii: "9") }
    static var plus: UInt8 { UInt8(ascii: "+") }
    static var lowerE: UInt8 { UInt8(ascii: "e") }
    static var upperE: UInt8 { UInt8(ascii: "E") }
    static var space: UInt8 { UInt8(ascii: " ") }
    static var tab: UInt8 { UInt8(ascii: "\t") }
    static var lineFeed: UInt8 { UInt8(ascii: "\n") }
    static var carriageReturn: UInt8 { UInt8(ascii: "\r") }

    /// The lowercase hexadecimal digit for `nibble` (0 ... 15).
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? zero &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
}
