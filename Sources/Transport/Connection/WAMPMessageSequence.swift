internal import NIOCore

/// The typed messages a connection received, in order: each payload is deserialized on the
/// consuming task as it is taken, with no extra hop. Every transport's ``WAMPTransport/inbound``
/// on SwiftNIO is one of these. Iterate it once.
///
/// It ends when the peer closes normally and throws the transport's error when the connection
/// fails. A message that does not deserialize is thrown as the transport's invalid-message
/// error (its `kind` is ``WAMPTransportErrorKind/invalidMessage``, its cause the serializer's
/// error), and the connection is closed.
public struct WAMPMessageSequence: AsyncSequence, Sendable {
    public typealias Element = WAMPMessage
    public typealias Failure = any Error

    let payloads: PayloadSequence
    let serializer: any WAMPSerializer
    /// Closes the connection after a payload that does not deserialize; returns what to throw.
    let rejectInvalid: @Sendable (any Error) -> any Error

    package init(
        payloads: PayloadSequence, serializer: any WAMPSerializer,
        rejectInvalid: @escaping @Sendable (any Error) -> any Error
    ) {
        self.payloads = payloads
        self.serializer = serializer
        self.rejectInvalid = rejectInvalid
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: payloads.makeAsyncIterator(), serializer: serializer, rejectInvalid: rejectInvalid)
    }

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: PayloadSequence.AsyncIterator
        let serializer: any WAMPSerializer
        let rejectInvalid: @Sendable (any Error) -> any Error

        /// The next message, `nil` when the peer closed normally.
        public mutating func next() async throws -> WAMPMessage? {
            try await next(isolation: nil)
        }

        /// The next of the messages already received, without waiting; `nil` when none is at
        /// hand (``next(isolation:)`` then waits for more). A loop that tries this first makes
        /// no asynchronous call for most messages of a burst.
        ///
        /// - Throws: as ``next(isolation:)``, for a message that does not deserialize.
        public mutating func nextWithoutWaiting() throws -> WAMPMessage? {
            guard let payload = base.nextTaken() else { return nil }
            do {
                return try serializer.deserialize(payload)
            } catch {
                throw rejectInvalid(error)
            }
        }

        /// The next message, taken without leaving the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> WAMPMessage? {
            let payload: ByteBuffer
            if let taken = base.nextTaken() {
                payload = taken
            } else {
                guard let next = try await base.nextBatch(isolation: actor) else { return nil }
                payload = next
            }
            do {
                return try serializer.deserialize(payload)
            } catch {
                throw rejectInvalid(error)
            }
        }
    }
}

@available(*, unavailable)
extension WAMPMessageSequence.AsyncIterator: Sendable {}
