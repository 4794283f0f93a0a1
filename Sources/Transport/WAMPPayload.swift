/// The application payload of PUBLISH, EVENT, CALL, RESULT, INVOCATION, YIELD, ERROR and ABORT:
/// positional `Args` and keyword `Kw`, or, in payload passthru mode, one opaque binary value.
///
/// A payload received through a serializer that keeps arguments serialized (MessagePack) is
/// ``serialized(_:)``: ``args``, ``kwargs`` and the `decode...` methods decode it when read,
/// and it compares equal to the ``arguments(_:_:)`` it decodes to. Switch on ``decoded`` to
/// see only the other two cases.
///
/// On the wire the trailing `[Args, [Kw]]` are optional: ``arguments(_:_:)`` with both empty
/// sends neither, with only `Args` sends `Args`, and with a non-empty `Kw` sends both (`Args`
/// then possibly empty). Decoding accepts every length.
public enum WAMPPayload: Sendable {
    /// Positional and keyword arguments.
    case arguments([WAMPValue], [String: WAMPValue])
    /// Payload passthru mode: one binary value in place of Args and Kw (its encoding is
    /// described by `enc_algo`, `enc_serializer` ... in the message's Options or Details).
    case transparent([UInt8])
    /// `Args` and `Kw` as received, still serialized: decoded when read, forwarded as they are
    /// to a peer with the same serializer.
    case serialized(WAMPSerializedPayload)

    /// No arguments.
    public static let empty = WAMPPayload.arguments([], [:])

    /// The payload with ``serialized(_:)`` decoded: ``arguments(_:_:)`` or
    /// ``transparent(_:)``.
    ///
    /// A serialized payload was validated by the serializer that made it, so it decodes; if it
    /// did not (a ``WAMPSerializedPayload`` made by hand from bad bytes), the result is
    /// ``empty``.
    public var decoded: WAMPPayload {
        guard case .serialized(let serialized) = self else { return self }
        return (try? serialized.decode()) ?? .empty
    }

    /// The positional arguments (empty in passthru mode).
    public var args: [WAMPValue] {
        switch self {
        case .arguments(let args, _): return args
        case .transparent: return []
        case .serialized: return decoded.args
        }
    }

    /// The keyword arguments (empty in passthru mode).
    public var kwargs: [String: WAMPValue] {
        switch self {
        case .arguments(_, let kwargs): return kwargs
        case .transparent: return [:]
        case .serialized: return decoded.kwargs
        }
    }

    /// Whether nothing is carried (no args, no kwargs, not passthru).
    public var isEmpty: Bool {
        switch self {
        case .arguments(let a, let k): return a.isEmpty && k.isEmpty
        case .transparent: return false
        case .serialized: return decoded.isEmpty
        }
    }

    /// Appends the trailing elements for this payload to a message's list form.
    @inlinable
    public func append(to elements: inout some WAMPElementSink) {
        switch self {
        case .arguments(let args, let kwargs):
            if !kwargs.isEmpty {
                elements.append(.list(args))
                elements.append(.dict(kwargs))
            } else if !args.isEmpty {
                elements.append(.list(args))
            }
        case .transparent(let bytes):
            elements.append(.binary(bytes))
        case .serialized:
            decoded.append(to: &elements)
        }
    }
}

extension WAMPPayload: Hashable {
    /// Payloads are equal when they carry the same values: a ``serialized(_:)`` payload equals
    /// the ``arguments(_:_:)`` it decodes to.
    public static func == (lhs: WAMPPayload, rhs: WAMPPayload) -> Bool {
        switch (lhs, rhs) {
        case (.arguments(let a1, let k1), .arguments(let a2, let k2)): return a1 == a2 && k1 == k2
        case (.transparent(let b1), .transparent(let b2)): return b1 == b2
        case (.serialized(let s1), .serialized(let s2))
            where s1.serializer.id == s2.serializer.id && s1.hasKeywords == s2.hasKeywords && s1.bytes == s2.bytes:
            return true
        case (.serialized, _), (_, .serialized): return lhs.decoded == rhs.decoded
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch decoded {
        case .arguments(let args, let kwargs):
            hasher.combine(0)
            hasher.combine(args)
            hasher.combine(kwargs)
        case .transparent(let bytes):
            hasher.combine(1)
            hasher.combine(bytes)
        case .serialized:
            preconditionFailure("a decoded payload is never serialized")
        }
    }
}

/// A message that carries a ``WAMPPayload``.
public protocol WAMPPayloadCarrying {
    /// The payload.
    var payload: WAMPPayload { get set }
}

extension WAMPPayloadCarrying {
    /// The positional arguments (empty in passthru mode). Setting them leaves passthru mode.
    public var args: [WAMPValue] {
        get { payload.args }
        set { payload = .arguments(newValue, payload.kwargs) }
    }

    /// The keyword arguments (empty in passthru mode). Setting them leaves passthru mode.
    public var kwargs: [String: WAMPValue] {
        get { payload.kwargs }
        set { payload = .arguments(payload.args, newValue) }
    }
}
