import NIOCore
public import Transport

/// The typed messages of a ``WebSocketConnection``: each payload is deserialized on the
/// consuming task as it is taken.
public struct WebSocketMessageSequence: AsyncSequence, Sendable {
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

        /// The next message, `nil` when the peer closed normally.
        ///
        /// - Throws: ``WebSocketError`` when the connection failed or the peer closed with an
        ///   error code, and ``WebSocketError/Code/invalidMessage`` (with the serializer's
        ///   error as `cause`) for a message that does not deserialize; the connection is then
        ///   closed with code 1002.
        public mutating func next() async throws -> WAMPMessage? {
            try await next(isolation: nil)
        }

        /// The next message, taken without leaving the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> WAMPMessage? {
            guard let payload = try await base.next(isolation: actor) else { return nil }
            do {
                return try serializer.deserialize(payload)
            } catch {
                channel.triggerUserOutboundEvent(WebSocketCloseRequest(code: WebSocketCloseCode.protocolError), promise: nil)
                throw WebSocketError(
                    .invalidMessage, "a received \(serializer.id.name) message is invalid: \(error)",
                    closeCode: WebSocketCloseCode.protocolError, cause: error)
            }
        }
    }
}
