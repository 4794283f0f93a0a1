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
        var out: [WAMPValue] = []
        out.reserveCapacity(5)
        appendElements(to: &out, withoutPayload: true)
        return out
    }
}

extension WAMPMessage {
    /// The message with a serialized payload that shares much more memory than its own length
    /// copied (`WAMPSerializedPayload.unpinned()`): what a holder keeps before it keeps a
    /// message that a serializer left a slice of a large received buffer.
    package func unpinned() -> WAMPMessage {
        guard case .serialized(let serialized)? = payload, serialized.pinsMemory else { return self }
        var copy = self
        copy.payload = .serialized(serialized.unpinned())
        return copy
    }
}
