import CBORSerializer
import SerializerTestSupport
import Transport

/// The CBOR bytes of a message of the unknown type 300 holding `value`: `[300, value]`.
/// Unknown messages keep their elements, so any value can be carried through `deserialize`.
func unknownMessage(holding value: [UInt8]) -> [UInt8] {
    bytes("82 19 012c") + value
}

/// Decodes `[300, value]` and returns `value`.
func decodeHeldValue(_ value: [UInt8], with serializer: WAMPCBORSerializer = .init()) throws -> WAMPValue? {
    guard case .unknown(let message) = try serializer.deserialize(unknownMessage(holding: value)),
        message.type.rawValue == 300, message.arguments.count == 1
    else { return nil }
    return message.arguments[0]
}

/// `count` nested single-element arrays around null: `81 81 ... f6`.
func nestedArrays(_ count: Int) -> [UInt8] {
    [UInt8](repeating: 0x81, count: count) + [0xf6]
}

extension WAMPCBORSerializer: ValueSerializer {}
