import MsgPackSerializer
import NIOCore
import SerializerTestSupport
import Transport

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

extension WAMPMsgPackSerializer: ValueSerializer {}

/// A MessagePack serializer that keeps the payload of every message serialized, however short
/// (`serializedPayloadThreshold` 0).
let keepingEveryPayloadSerialized: WAMPMsgPackSerializer = {
    var configuration = WAMPMsgPackSerializer.Configuration()
    configuration.serializedPayloadThreshold = 0
    return WAMPMsgPackSerializer(configuration: configuration)
}()
