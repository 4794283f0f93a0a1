extension WAMPMessage {
    /// The payload of a message that carries one (PUBLISH, EVENT, CALL, RESULT, INVOCATION,
    /// YIELD, ERROR, ABORT), `nil` for the others. Setting it on a message without a payload
    /// does nothing.
    public var payload: WAMPPayload? {
        get {
            switch self {
            case .abort(let m): return m.payload
            case .error(let m): return m.payload
            case .publish(let m): return m.payload
            case .event(let m): return m.payload
            case .call(let m): return m.payload
            case .result(let m): return m.payload
            case .invocation(let m): return m.payload
            case .yield(let m): return m.payload
            default: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .abort(var m): m.payload = newValue; self = .abort(m)
            case .error(var m): m.payload = newValue; self = .error(m)
            case .publish(var m): m.payload = newValue; self = .publish(m)
            case .event(var m): m.payload = newValue; self = .event(m)
            case .call(var m): m.payload = newValue; self = .call(m)
            case .result(var m): m.payload = newValue; self = .result(m)
            case .invocation(var m): m.payload = newValue; self = .invocation(m)
            case .yield(var m): m.payload = newValue; self = .yield(m)
            default: return
            }
        }
    }

    /// The list form without the payload: the message's elements before `Args`, for a writer
    /// that puts a ``WAMPSerializedPayload`` after them as it is.
    public var headElements: [WAMPValue] {
        // Only the body is copied and changed: rebuilding the whole message with an empty
        // payload (through ``payload``'s setter) copied the message twice.
        switch self {
        case .abort(let m): return Self.head(of: m)
        case .error(let m): return Self.head(of: m)
        case .publish(let m): return Self.head(of: m)
        case .event(let m): return Self.head(of: m)
        case .call(let m): return Self.head(of: m)
        case .result(let m): return Self.head(of: m)
        case .invocation(let m): return Self.head(of: m)
        case .yield(let m): return Self.head(of: m)
        default: return elements
        }
    }

    /// The list form of `body` without its payload.
    private static func head(of body: some WAMPMessageBody & WAMPPayloadCarrying) -> [WAMPValue] {
        var body = body
        body.payload = .empty
        return body.elements
    }
}
