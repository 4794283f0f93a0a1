/// The application payload of PUBLISH, EVENT, CALL, RESULT, INVOCATION, YIELD, ERROR and ABORT:
/// positional `Args` and keyword `Kw`, or, in payload passthru mode, one opaque binary value.
///
/// On the wire the trailing `[Args, [Kw]]` are optional: ``arguments(_:_:)`` with both empty
/// sends neither, with only `Args` sends `Args`, and with a non-empty `Kw` sends both (`Args`
/// then possibly empty). Decoding accepts every length.
public enum WAMPPayload: Hashable, Sendable {
    /// Positional and keyword arguments.
    case arguments([WAMPValue], [String: WAMPValue])
    /// Payload passthru mode: one binary value in place of Args and Kw (its encoding is
    /// described by `enc_algo`, `enc_serializer` ... in the message's Options or Details).
    case transparent([UInt8])

    /// No arguments.
    public static let empty = WAMPPayload.arguments([], [:])

    /// The positional arguments (empty in passthru mode).
    public var args: [WAMPValue] {
        if case .arguments(let args, _) = self { return args }
        return []
    }

    /// The keyword arguments (empty in passthru mode).
    public var kwargs: [String: WAMPValue] {
        if case .arguments(_, let kwargs) = self { return kwargs }
        return [:]
    }

    /// Whether nothing is carried (no args, no kwargs, not passthru).
    public var isEmpty: Bool {
        if case .arguments(let a, let k) = self { return a.isEmpty && k.isEmpty }
        return false
    }

    /// Appends the trailing elements for this payload to a message's list form.
    @inlinable
    public func append(to elements: inout [WAMPValue]) {
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
