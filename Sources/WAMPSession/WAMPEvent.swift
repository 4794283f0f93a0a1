public import Transport

/// An event delivered to a subscription.
///
/// ```swift
/// for try await event in try await session.subscribe("com.example.tick") {
///     print(event.args, event.kwargs)
/// }
/// ```
public struct WAMPEvent: Hashable, Sendable {
    /// The topic subscribed to.
    public var topic: String
    /// The publication ID.
    public var publication: WAMPID
    /// Positional arguments.
    public var args: [WAMPValue]
    /// Keyword arguments.
    public var kwargs: [String: WAMPValue]
    /// The EVENT's details (`publisher`, `topic` for pattern subscriptions, ...).
    public var details: [String: WAMPValue]

    /// Creates an event.
    public init(
        topic: String, publication: WAMPID, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        details: [String: WAMPValue] = [:]
    ) {
        self.topic = topic
        self.publication = publication
        self.args = args
        self.kwargs = kwargs
        self.details = details
    }

    /// Decodes the arguments as ``WAMPResult/decode(_:decoder:)`` does.
    public func decode<T: Decodable>(_ type: T.Type = T.self, decoder: WAMPValueDecoder = WAMPValueDecoder()) throws -> T {
        try WAMPResult(args: args, kwargs: kwargs).decode(T.self, decoder: decoder)
    }
}
