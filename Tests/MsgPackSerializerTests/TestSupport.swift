import MsgPackSerializer
import NIOCore
import Transport

/// Bytes from hex digits; spaces are ignored: `bytes("93 01 a1 78")`.
func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.utf8.map { byte -> UInt8 in
        switch byte {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit in \(hex)")
        }
    }
    precondition(digits.count % 2 == 0, "odd number of hex digits in \(hex)")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Lower-case hex of `bytes`.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The MessagePack bytes of a message of the unknown type 300 holding `value`: `[300, value]`.
/// Unknown messages keep their elements, so any value can be carried through `deserialize`.
func unknownMessage(holding value: [UInt8]) -> [UInt8] {
    bytes("92 cd 01 2c") + value
}

/// Decodes `[300, value]` and returns `value`.
func decodeHeldValue(_ value: [UInt8], with serializer: WAMPMsgPackSerializer = .init()) throws -> WAMPValue? {
    guard case .unknown(let message) = try serializer.deserialize(unknownMessage(holding: value)),
        message.type.rawValue == 300, message.arguments.count == 1
    else { return nil }
    return message.arguments[0]
}

/// `count` nested single-element arrays around `nil`: `91 91 ... c0`.
func nestedArrays(_ count: Int) -> [UInt8] {
    [UInt8](repeating: 0x91, count: count) + [0xc0]
}

/// A small, fast, seedable generator (SplitMix64), so that random tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
