/// A typed WAMP message: one case for each message of the basic and advanced profiles, each
/// carrying a small struct, plus ``unknown(_:)`` for codes this library does not know.
///
/// Every message converts to and from its generic list form, which serializers read and write:
///
/// ```swift
/// let message = WAMPMessage.call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3], [:])))
/// message.elements              // [48, 1, {}, "com.example.add", [2, 3]]
/// try WAMPMessage(elements: [48, 1, [:], "com.example.add", [2, 3]]) == message   // true
/// ```
public enum WAMPMessage: Hashable, Sendable {
    /// HELLO (1): a client asks to join a realm.
    case hello(Hello)
    /// WELCOME (2): the router accepts the session.
    case welcome(Welcome)
    /// ABORT (3): a session is refused or ended abruptly.
    case abort(Abort)
    /// CHALLENGE (4): the router asks the client to authenticate.
    case challenge(Challenge)
    /// AUTHENTICATE (5): the client answers a CHALLENGE.
    case authenticate(Authenticate)
    /// GOODBYE (6): a peer leaves the session.
    case goodbye(Goodbye)
    /// ERROR (8): a request failed.
    case error(Error)
    /// PUBLISH (16): a client publishes an event to a topic.
    case publish(Publish)
    /// PUBLISHED (17): the broker acknowledges a PUBLISH.
    case published(Published)
    /// SUBSCRIBE (32): a client subscribes to a topic.
    case subscribe(Subscribe)
    /// SUBSCRIBED (33): the broker acknowledges a SUBSCRIBE.
    case subscribed(Subscribed)
    /// UNSUBSCRIBE (34): a client ends a subscription.
    case unsubscribe(Unsubscribe)
    /// UNSUBSCRIBED (35): the broker acknowledges an UNSUBSCRIBE, or revokes a subscription.
    case unsubscribed(Unsubscribed)
    /// EVENT (36): the broker delivers a publication to a subscriber.
    case event(Event)
    /// CALL (48): a client calls a procedure.
    case call(Call)
    /// CANCEL (49): the caller gives up a call (advanced profile).
    case cancel(Cancel)
    /// RESULT (50): the dealer returns the result of a call.
    case result(Result)
    /// REGISTER (64): a client registers a procedure.
    case register(Register)
    /// REGISTERED (65): the dealer acknowledges a REGISTER.
    case registered(Registered)
    /// UNREGISTER (66): a client ends a registration.
    case unregister(Unregister)
    /// UNREGISTERED (67): the dealer acknowledges an UNREGISTER, or revokes a registration.
    case unregistered(Unregistered)
    /// INVOCATION (68): the dealer asks the callee to run a procedure.
    case invocation(Invocation)
    /// INTERRUPT (69): the dealer cancels an invocation (advanced profile).
    case interrupt(Interrupt)
    /// YIELD (70): the callee returns the result of an invocation.
    case yield(Yield)
    /// EVENT_RECEIVED (337): a subscriber acknowledges an event (advanced profile).
    case eventReceived(EventReceived)
    /// A message with a type code this library does not know, kept whole.
    case unknown(Unknown)

    /// Decodes a message from its list form, validating it.
    ///
    /// - Throws: ``WAMPProtocolError`` naming the rule that was broken: not a list, empty,
    ///   type code not an integer, wrong element count or type, ID out of range, invalid
    ///   ERROR request type, invalid URI. A type code that is not known gives
    ///   ``unknown(_:)``, not an error.
    @inlinable
    public init(value: WAMPValue) throws(WAMPProtocolError) {
        guard case .list(let elements) = value else {
            throw WAMPProtocolError(.notAList, "a WAMP message must be a list, got \(value.kindName)")
        }
        try self.init(elements: elements)
    }

    /// Decodes a message from its list form, validating it. See ``init(value:)``.
    public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
        try self.init(elements: elements, payload: nil)
    }

    /// Decodes a message from the elements before its payload (`Args`), validating them, and
    /// gives it `payload`: how a serializer that leaves a payload serialized builds the message
    /// (one step, where decoding and then setting ``payload`` copied the message twice). A
    /// message type without a payload ignores `payload`, as ``payload``'s setter does.
    ///
    /// - Throws: as ``init(value:)``.
    public init(head: [WAMPValue], payload: WAMPPayload) throws(WAMPProtocolError) {
        try self.init(elements: head, payload: payload)
    }

    /// Decodes the list form, or a head given its payload.
    private init(elements: [WAMPValue], payload: WAMPPayload?) throws(WAMPProtocolError) {
        guard let first = elements.first else {
            throw WAMPProtocolError(.emptyMessage, "a WAMP message must not be an empty list")
        }
        let code: Int64
        switch first {
        case .integer(let v): code = v
        case .unsignedInteger(let v): code = v > UInt64(Int64.max) ? -1 : Int64(v)
        default:
            throw WAMPProtocolError(
                .messageTypeNotInteger, field: "type",
                "the first element must be an integer message type, got \(first.kindName) \(first)")
        }
        switch code {
        case 1: self = .hello(try Hello(elements: elements))
        case 2: self = .welcome(try Welcome(elements: elements))
        case 3: self = .abort(Self.body(try Abort(elements: elements), carrying: payload))
        case 4: self = .challenge(try Challenge(elements: elements))
        case 5: self = .authenticate(try Authenticate(elements: elements))
        case 6: self = .goodbye(try Goodbye(elements: elements))
        case 8: self = .error(Self.body(try Error(elements: elements), carrying: payload))
        case 16: self = .publish(Self.body(try Publish(elements: elements), carrying: payload))
        case 17: self = .published(try Published(elements: elements))
        case 32: self = .subscribe(try Subscribe(elements: elements))
        case 33: self = .subscribed(try Subscribed(elements: elements))
        case 34: self = .unsubscribe(try Unsubscribe(elements: elements))
        case 35: self = .unsubscribed(try Unsubscribed(elements: elements))
        case 36: self = .event(Self.body(try Event(elements: elements), carrying: payload))
        case 48: self = .call(Self.body(try Call(elements: elements), carrying: payload))
        case 49: self = .cancel(try Cancel(elements: elements))
        case 50: self = .result(Self.body(try Result(elements: elements), carrying: payload))
        case 64: self = .register(try Register(elements: elements))
        case 65: self = .registered(try Registered(elements: elements))
        case 66: self = .unregister(try Unregister(elements: elements))
        case 67: self = .unregistered(try Unregistered(elements: elements))
        case 68: self = .invocation(Self.body(try Invocation(elements: elements), carrying: payload))
        case 69: self = .interrupt(try Interrupt(elements: elements))
        case 70: self = .yield(Self.body(try Yield(elements: elements), carrying: payload))
        case 337: self = .eventReceived(try EventReceived(elements: elements))
        default:
            guard code >= 0 else {
                throw WAMPProtocolError(.messageTypeNotInteger, field: "type", "message type \(first) is out of range")
            }
            self = .unknown(Unknown(type: WAMPMessageType(rawValue: code), arguments: Array(elements.dropFirst())))
        }
    }

    /// `body` with `payload` when one is given.
    @inline(__always)
    private static func body<Body: WAMPPayloadCarrying>(_ body: Body, carrying payload: WAMPPayload?) -> Body {
        guard let payload else { return body }
        var body = body
        body.payload = payload
        return body
    }

    /// The message's type code.
    public var type: WAMPMessageType {
        switch self {
        case .hello: return .hello
        case .welcome: return .welcome
        case .abort: return .abort
        case .challenge: return .challenge
        case .authenticate: return .authenticate
        case .goodbye: return .goodbye
        case .error: return .error
        case .publish: return .publish
        case .published: return .published
        case .subscribe: return .subscribe
        case .subscribed: return .subscribed
        case .unsubscribe: return .unsubscribe
        case .unsubscribed: return .unsubscribed
        case .event: return .event
        case .call: return .call
        case .cancel: return .cancel
        case .result: return .result
        case .register: return .register
        case .registered: return .registered
        case .unregister: return .unregister
        case .unregistered: return .unregistered
        case .invocation: return .invocation
        case .interrupt: return .interrupt
        case .yield: return .yield
        case .eventReceived: return .eventReceived
        case .unknown(let m): return m.type
        }
    }

    /// The message's body as its protocol, for code that treats all known messages alike.
    public var body: (any WAMPMessageBody)? {
        switch self {
        case .hello(let m): return m
        case .welcome(let m): return m
        case .abort(let m): return m
        case .challenge(let m): return m
        case .authenticate(let m): return m
        case .goodbye(let m): return m
        case .error(let m): return m
        case .publish(let m): return m
        case .published(let m): return m
        case .subscribe(let m): return m
        case .subscribed(let m): return m
        case .unsubscribe(let m): return m
        case .unsubscribed(let m): return m
        case .event(let m): return m
        case .call(let m): return m
        case .cancel(let m): return m
        case .result(let m): return m
        case .register(let m): return m
        case .registered(let m): return m
        case .unregister(let m): return m
        case .unregistered(let m): return m
        case .invocation(let m): return m
        case .interrupt(let m): return m
        case .yield(let m): return m
        case .eventReceived(let m): return m
        case .unknown: return nil
        }
    }

    /// The list form of the message, type code first, with the trailing Args/Kw rules applied.
    public var elements: [WAMPValue] {
        var out: [WAMPValue] = []
        out.reserveCapacity(7)
        appendElements(to: &out)
        return out
    }

    /// Hands the list form's elements to `sink` in order, type code first; with
    /// `withoutPayload`, only those before `Args` (a message without a payload hands over all
    /// of its elements). What ``elements`` and ``headElements`` collect, without the array: a
    /// serializer writes each element as it comes.
    @inlinable
    public func appendElements(to sink: inout some WAMPElementSink, withoutPayload: Bool = false) {
        sink.append(.integer(type.rawValue))
        // A switch on the concrete cases: no existential box on the serialization hot path.
        switch self {
        case .hello(let m): m.appendElements(to: &sink)
        case .welcome(let m): m.appendElements(to: &sink)
        case .abort(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .challenge(let m): m.appendElements(to: &sink)
        case .authenticate(let m): m.appendElements(to: &sink)
        case .goodbye(let m): m.appendElements(to: &sink)
        case .error(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .publish(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .published(let m): m.appendElements(to: &sink)
        case .subscribe(let m): m.appendElements(to: &sink)
        case .subscribed(let m): m.appendElements(to: &sink)
        case .unsubscribe(let m): m.appendElements(to: &sink)
        case .unsubscribed(let m): m.appendElements(to: &sink)
        case .event(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .call(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .cancel(let m): m.appendElements(to: &sink)
        case .result(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .register(let m): m.appendElements(to: &sink)
        case .registered(let m): m.appendElements(to: &sink)
        case .unregister(let m): m.appendElements(to: &sink)
        case .unregistered(let m): m.appendElements(to: &sink)
        case .invocation(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .interrupt(let m): m.appendElements(to: &sink)
        case .yield(let m): Self.append(m, withoutPayload: withoutPayload, to: &sink)
        case .eventReceived(let m): m.appendElements(to: &sink)
        case .unknown(let m): for argument in m.arguments { sink.append(argument) }
        }
    }

    /// The elements of `body` after its type code, without its payload when `withoutPayload`.
    @inlinable
    static func append(
        _ body: some WAMPMessageBody & WAMPPayloadCarrying, withoutPayload: Bool, to sink: inout some WAMPElementSink
    ) {
        guard withoutPayload else { return body.appendElements(to: &sink) }
        // Only the body is copied and changed: rebuilding the whole message with an empty
        // payload (through ``payload``'s setter) copied the message twice.
        var body = body
        body.payload = .empty
        body.appendElements(to: &sink)
    }

    /// The list form as one ``WAMPValue/list(_:)``.
    public var value: WAMPValue { .list(elements) }
}

extension WAMPMessage: CustomStringConvertible {
    /// The message's name and list form, for logs and transcripts:
    /// `CALL [48, 1, {}, "com.example.add", [2, 3]]`.
    public var description: String { "\(type.name) \(value)" }
}
