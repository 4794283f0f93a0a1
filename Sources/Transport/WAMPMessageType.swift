/// The type code of a WAMP message, the first element of its list form.
///
/// An open set: codes this library does not know (extensions use 256 ... 1023) are
/// representable, so that a message with such a code can be relayed as
/// ``WAMPMessage/unknown(_:)``.
public struct WAMPMessageType: RawRepresentable, Hashable, Sendable, Comparable {
    /// The integer code on the wire.
    public var rawValue: Int64

    /// Creates a type from its wire code.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Orders types by their wire code.
    public static func < (lhs: WAMPMessageType, rhs: WAMPMessageType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `[1, Realm|uri, Details|dict]`
    public static let hello = WAMPMessageType(rawValue: 1)
    /// `[2, Session|id, Details|dict]`
    public static let welcome = WAMPMessageType(rawValue: 2)
    /// `[3, Details|dict, Reason|uri, [Args, [Kw]]]`
    public static let abort = WAMPMessageType(rawValue: 3)
    /// `[4, AuthMethod|string, Extra|dict]`
    public static let challenge = WAMPMessageType(rawValue: 4)
    /// `[5, Signature|string, Extra|dict]`
    public static let authenticate = WAMPMessageType(rawValue: 5)
    /// `[6, Details|dict, Reason|uri]`
    public static let goodbye = WAMPMessageType(rawValue: 6)
    /// `[8, Type|int, Request|id, Details|dict, Error|uri, [Args, [Kw]]]`
    public static let error = WAMPMessageType(rawValue: 8)
    /// `[16, Request|id, Options|dict, Topic|uri, [Args, [Kw]]]`
    public static let publish = WAMPMessageType(rawValue: 16)
    /// `[17, Request|id, Publication|id]`
    public static let published = WAMPMessageType(rawValue: 17)
    /// `[32, Request|id, Options|dict, Topic|uri]`
    public static let subscribe = WAMPMessageType(rawValue: 32)
    /// `[33, Request|id, Subscription|id]`
    public static let subscribed = WAMPMessageType(rawValue: 33)
    /// `[34, Request|id, Subscription|id]`
    public static let unsubscribe = WAMPMessageType(rawValue: 34)
    /// `[35, Request|id, [Details|dict]]`
    public static let unsubscribed = WAMPMessageType(rawValue: 35)
    /// `[36, Subscription|id, Publication|id, Details|dict, [Args, [Kw]]]`
    public static let event = WAMPMessageType(rawValue: 36)
    /// `[48, Request|id, Options|dict, Procedure|uri, [Args, [Kw]]]`
    public static let call = WAMPMessageType(rawValue: 48)
    /// `[49, Request|id, Options|dict]`
    public static let cancel = WAMPMessageType(rawValue: 49)
    /// `[50, Request|id, Details|dict, [Args, [Kw]]]`
    public static let result = WAMPMessageType(rawValue: 50)
    /// `[64, Request|id, Options|dict, Procedure|uri]`
    public static let register = WAMPMessageType(rawValue: 64)
    /// `[65, Request|id, Registration|id]`
    public static let registered = WAMPMessageType(rawValue: 65)
    /// `[66, Request|id, Registration|id]`
    public static let unregister = WAMPMessageType(rawValue: 66)
    /// `[67, Request|id, [Details|dict]]`
    public static let unregistered = WAMPMessageType(rawValue: 67)
    /// `[68, Request|id, Registration|id, Details|dict, [Args, [Kw]]]`
    public static let invocation = WAMPMessageType(rawValue: 68)
    /// `[69, Request|id, Options|dict]`
    public static let interrupt = WAMPMessageType(rawValue: 69)
    /// `[70, Request|id, Options|dict, [Args, [Kw]]]`
    public static let yield = WAMPMessageType(rawValue: 70)
    /// `[337, Publication|id]` (acknowledged event delivery, advanced profile)
    public static let eventReceived = WAMPMessageType(rawValue: 337)

    /// The request types an ERROR message may answer.
    public static let errorRequestTypes: Set<WAMPMessageType> = [
        .subscribe, .unsubscribe, .publish, .register, .unregister, .invocation, .call,
    ]

    /// The message's name as in the specification ("HELLO", "EVENT_RECEIVED"), or the code.
    public var name: String {
        switch rawValue {
        case 1: return "HELLO"
        case 2: return "WELCOME"
        case 3: return "ABORT"
        case 4: return "CHALLENGE"
        case 5: return "AUTHENTICATE"
        case 6: return "GOODBYE"
        case 8: return "ERROR"
        case 16: return "PUBLISH"
        case 17: return "PUBLISHED"
        case 32: return "SUBSCRIBE"
        case 33: return "SUBSCRIBED"
        case 34: return "UNSUBSCRIBE"
        case 35: return "UNSUBSCRIBED"
        case 36: return "EVENT"
        case 48: return "CALL"
        case 49: return "CANCEL"
        case 50: return "RESULT"
        case 64: return "REGISTER"
        case 65: return "REGISTERED"
        case 66: return "UNREGISTER"
        case 67: return "UNREGISTERED"
        case 68: return "INVOCATION"
        case 69: return "INTERRUPT"
        case 70: return "YIELD"
        case 337: return "EVENT_RECEIVED"
        default: return "MESSAGE(\(rawValue))"
        }
    }
}

extension WAMPMessageType: CustomStringConvertible {
    /// The message's name, as ``name``.
    public var description: String { name }
}

extension WAMPMessageType {
    /// For a message type that carries a payload, the index of `Args` in its list form (the
    /// elements before it are the head); `nil` for the others.
    public var payloadIndex: Int? {
        switch rawValue {
        case 3, 50, 70: return 3  // ABORT, RESULT, YIELD
        case 16, 36, 48, 68: return 4  // PUBLISH, EVENT, CALL, INVOCATION
        case 8: return 5  // ERROR
        default: return nil
        }
    }
}
