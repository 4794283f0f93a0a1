public import Transport

/// Positional and keyword arguments received or to be sent: the result of a call, the
/// return value of a procedure handler.
///
/// ```swift
/// let result = try await session.call("com.example.add", args: [2, 3])
/// let sum = try result.decode(Int.self)   // one argument: decoded on its own
/// ```
public struct WAMPResult: Hashable, Sendable {
    /// Positional arguments.
    public var args: [WAMPValue]
    /// Keyword arguments.
    public var kwargs: [String: WAMPValue]
    /// The RESULT's details (`progress` for a progressive result); empty for a handler's value.
    public var details: [String: WAMPValue]

    /// Creates a result.
    public init(args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:], details: [String: WAMPValue] = [:]) {
        self.args = args
        self.kwargs = kwargs
        self.details = details
    }

    /// The arguments of a payload (passthru payloads are not supported and give none).
    init(_ payload: WAMPPayload, details: [String: WAMPValue] = [:]) {
        let payload = payload.decoded  // once: a serialized payload decodes on each read
        self.init(args: payload.args, kwargs: payload.kwargs, details: details)
    }

    /// Whether this is a progressive (intermediate) result.
    public var isProgress: Bool { details["progress"]?.boolValue == true }

    /// The arguments as a message payload.
    public var payload: WAMPPayload { .arguments(args, kwargs) }

    /// Decodes the result: with exactly one positional argument and no keyword arguments, that
    /// argument; with keyword arguments only, the dict of them; otherwise the list of positional
    /// arguments.
    ///
    /// - Throws: ``WAMPSessionError/Code/invalidArgument`` wrapping the `DecodingError`.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: WAMPValueDecoder = WAMPValueDecoder()) throws -> T {
        let value: WAMPValue
        if args.count == 1, kwargs.isEmpty {
            value = args[0]
        } else if args.isEmpty, !kwargs.isEmpty {
            value = .dict(kwargs)
        } else {
            value = .list(args)
        }
        do {
            return try decoder.decode(T.self, from: value)
        } catch {
            throw WAMPSessionError(.invalidArgument, "cannot decode \(T.self) from \(value)", cause: error)
        }
    }

    /// Encodes a value as a result, the way `WAMPPayload.encoding(_:encoder:)` does: a list
    /// becomes the positional arguments, a dict the keyword arguments, anything else the one
    /// positional argument.
    public init<T: Encodable>(encoding value: T, encoder: WAMPValueEncoder = WAMPValueEncoder()) throws {
        do {
            self.init(try WAMPPayload.encoding(value, encoder: encoder))
        } catch {
            throw WAMPSessionError(.invalidArgument, "cannot encode \(T.self)", cause: error)
        }
    }
}
