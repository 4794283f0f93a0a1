public import Transport

/// A call of a registered procedure, handed to its handler.
///
/// ```swift
/// try await session.register("com.example.add") { invocation in
///     let numbers = try invocation.decode([Int].self)
///     return numbers.reduce(0, +)
/// }
/// ```
public struct WAMPInvocation: Hashable, Sendable {
    /// The procedure registered.
    public var procedure: String
    /// The INVOCATION's request ID.
    public var request: WAMPID
    /// Positional arguments.
    public var args: [WAMPValue]
    /// Keyword arguments.
    public var kwargs: [String: WAMPValue]
    /// The INVOCATION's details (`caller`, `procedure` for pattern registrations, ...).
    public var details: [String: WAMPValue]

    /// Creates an invocation.
    public init(
        procedure: String, request: WAMPID, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        details: [String: WAMPValue] = [:]
    ) {
        self.procedure = procedure
        self.request = request
        self.args = args
        self.kwargs = kwargs
        self.details = details
    }

    /// Decodes the arguments as ``WAMPResult/decode(_:decoder:)`` does.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: WAMPValueDecoder = WAMPValueDecoder()) throws -> T {
        try WAMPResult(args: args, kwargs: kwargs).decode(T.self, decoder: decoder)
    }

    /// Decodes one positional argument.
    public func argument<T: Decodable>(
        _ type: T.Type = T.self, at index: Int, decoder: WAMPValueDecoder = WAMPValueDecoder()
    ) throws -> T {
        do {
            return try WAMPPayload.arguments(args, kwargs).decodeArgument(T.self, at: index, decoder: decoder)
        } catch {
            throw WAMPSessionError(.invalidArgument, "cannot decode argument \(index) of \(procedure) as \(T.self)", cause: error)
        }
    }
}
