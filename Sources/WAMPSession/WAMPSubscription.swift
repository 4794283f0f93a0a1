public import Logging

/// The events of one subscription, as an async sequence.
///
/// The subscription ends (UNSUBSCRIBE is sent, when no other local subscription shares the
/// router's subscription) when the sequence and its iterators are dropped, when the task
/// iterating it is cancelled, or when ``unsubscribe(logger:)`` is called. The sequence finishes when
/// the session leaves, and throws the session's error when the session is lost without
/// reconnection.
///
/// ```swift
/// let ticks = try await session.subscribe("com.example.tick")
/// for try await event in ticks {
///     print(try event.decode(Int.self))
/// }
/// ```
public struct WAMPSubscription: AsyncSequence, Sendable {
    public typealias Element = WAMPEvent
    public typealias Failure = any Error

    /// The topic subscribed to.
    public let topic: String
    let events: EventBuffer.Consumer
    let token: Int
    let session: WAMPSession

    /// Ends the subscription now: waits for UNSUBSCRIBED when this was the last local
    /// subscription of its router subscription; the sequence finishes.
    public func unsubscribe(logger: Logger? = nil) async throws {
        try await session.unsubscribe(token: token, logger: logger)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(events: events)
    }

    /// Iterates the events.
    public struct Iterator: AsyncIteratorProtocol {
        let events: EventBuffer.Consumer

        public mutating func next() async throws -> WAMPEvent? {
            if let event = events.buffer.nextWaiting() { return event }
            return try await events.buffer.next()
        }
    }
}
