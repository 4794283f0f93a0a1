import NIOCore
public import Transport

/// The typed messages of a ``RawSocketConnection``: each payload is deserialized on the
/// consuming task as it is taken, with no extra hop.
public struct RawSocketMessageSequence: AsyncSequence, Sendable {
    public typealias Element = WAMPMessage
    public typealias Failure = any Error

    let payloads: PayloadSequence
    let serializer: any WAMPSerializer
    let channel: any Channel

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: payloads.makeAsyncIterator(), serializer: serializer, channel: channel)
    }

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: PayloadSequence.AsyncIterator
        let serializer: any WAMPSerializer
        let channel: any Channel

        /// The next message, `nil` when the peer closed.
        ///
        /// - Throws: ``RawSocketError`` when the connection failed, and
        ///   ``RawSocketError/Code/invalidMessage`` (with the serializer's error as `cause`)
        ///   for a message that does not deserialize; the connection is then closed.
        public mutating func next() async throws -> WAMPMessage? {
            try await next(isolation: nil)
        }

        /// The next message, taken without leaving the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> WAMPMessage? {
            guard let payload = try await base.next(isolation: actor) else { return nil }
            do {
                return try serializer.deserialize(payload)
            } catch {
                channel.close(promise: nil)
                throw RawSocketError(.invalidMessage, "a received \(serializer.id.name) message is invalid: \(error)", cause: error)
            }
        }
    }
}
