import NIOCore
import Transport

/// The router's estimate of how many octets a message takes once serialized, for the bound on
/// a session's outbound queue (``WAMPRouter/Limits/outboundQueueOctets``).
///
/// The router does not know which serializer a transport uses, and a message is serialized
/// only when it is written; so the estimate walks the message's values: a string counts its
/// UTF-8 length, binary its length, a number 9 octets, `null` and booleans 1, and each string,
/// binary, list and dict 5 octets of framing. That is close to MessagePack and CBOR, and below
/// JSON for binary (base64) and escaped strings. It costs one pass over the values, not over
/// their bytes: Swift strings and arrays know their length.
enum OutboundSize {
    /// The estimated serialized size of `message`: the sum over its list form
    /// (``octets(ofElements:)``). A payload still serialized (``WAMPSerializedPayload``)
    /// counts its length, without being decoded.
    ///
    /// INVOCATION, RESULT and EVENT, the messages the router sends for every call and event,
    /// are counted field by field, the same sum without building their list form.
    static func octets(of message: WAMPMessage) -> Int {
        switch message {
        case .invocation(let m): return 3 * 9 + octets(of: .dict(m.details)) + octets(of: m.payload)
        case .result(let m): return 2 * 9 + octets(of: .dict(m.details)) + octets(of: m.payload)
        case .event(let m): return 3 * 9 + octets(of: .dict(m.details)) + octets(of: m.payload)
        default: return octets(ofElements: message)
        }
    }

    /// The estimate as the sum over `message`'s list form, the type code included.
    static func octets(ofElements message: WAMPMessage) -> Int {
        if case .serialized(let payload)? = message.payload {
            return message.headElements.reduce(payload.bytes.readableBytes) { $0 + octets(of: $1) }
        }
        return message.elements.reduce(0) { $0 + octets(of: $1) }
    }

    /// The estimated size of the trailing `Args` and `Kw` that `payload` puts in a list form.
    static func octets(of payload: WAMPPayload) -> Int {
        switch payload {
        case .serialized(let serialized): return serialized.bytes.readableBytes
        case .transparent(let bytes): return octets(of: .binary(bytes))
        case .arguments(let args, let kwargs):
            if !kwargs.isEmpty { return octets(of: .list(args)) + octets(of: .dict(kwargs)) }
            return args.isEmpty ? 0 : octets(of: .list(args))
        }
    }

    /// The estimated serialized size of `value`.
    static func octets(of value: WAMPValue) -> Int {
        switch value {
        case .null, .bool: return 1
        case .integer, .unsignedInteger, .double: return 9
        case .string(let text): return 5 + text.utf8.count
        case .binary(let bytes): return 5 + bytes.count
        case .list(let list): return list.reduce(5) { $0 + octets(of: $1) }
        case .dict(let dict): return dict.reduce(5) { $0 + 5 + $1.key.utf8.count + octets(of: $1.value) }
        }
    }
}
