public import Transport

/// One end of an in-memory connection: a `WAMPTransport` that passes `WAMPMessage` values to
/// its peer in the same process, for tests of sessions and routers without sockets.
///
/// ```swift
/// let (client, server) = InMemoryTransport.makePair()
/// async let served: Void = router.serve(server)
/// try await client.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
/// for try await message in client.inbound { print(message); break }   // WELCOME [2, ...]
/// try await client.close()
/// await served
/// ```
///
/// It behaves like a real connection where tests depend on it:
/// - **Bounded buffering**: each direction buffers up to
///   ``Configuration/bufferedMessages``; a send appends its message and then waits while more
///   are buffered, so a peer that stops reading stops its sender, one message ahead at most.
/// - **Closing**: ``close()`` ends the peer's ``inbound`` after the messages already sent, ends
///   this side's ``inbound`` at once, and makes every later or waiting send on either side throw
///   ``InMemoryTransportError`` with kind `WAMPTransportErrorKind.connectionClosed`.
/// - **Serialization, on request**: with a ``Configuration/serializer``, each message is
///   serialized and deserialized on its way, limited to ``Configuration/maxSendLength`` octets
///   (a larger one is refused with kind `WAMPTransportErrorKind.messageTooLarge`; the
///   connection stays usable), and a message the serializer cannot read back fails the peer's
///   ``inbound`` as a real transport would.
public struct InMemoryTransport: WAMPTransport {
    /// The settings of an in-memory connection; the defaults are given once, here.
    public struct Configuration: Sendable {
        /// The most messages buffered in each direction before a sender waits. Default: 64.
        public var bufferedMessages: Int = 64
        /// A serializer each message goes through, or `nil` to pass messages as values.
        /// Default: `nil`.
        public var serializer: (any WAMPSerializer)? = nil
        /// The largest serialized message, in octets, either side sends; checked only with a
        /// ``serializer``. Default: 16 MiB.
        public var maxSendLength: Int = 16 * 1024 * 1024
        /// Whether ``InMemoryTransport/sendWithoutWaiting(_:)`` takes a message when there is
        /// room for it (as a RawSocket connection does on its event loop). `false` makes every
        /// message go through ``InMemoryTransport/send(_:)``, as with a transport that never
        /// can. Default: `true`.
        public var sendsWithoutWaiting = true

        /// The default settings.
        public init() {}

        /// Settings with a serializer and otherwise the defaults.
        public init(serializer: (any WAMPSerializer)?) {
            self.serializer = serializer
        }
    }

    private let outgoing: InMemoryPipe
    private let incoming: InMemoryPipe
    private let configuration: Configuration

    private init(outgoing: InMemoryPipe, incoming: InMemoryPipe, configuration: Configuration) {
        self.outgoing = outgoing
        self.incoming = incoming
        self.configuration = configuration
    }

    /// Two connected transports: what one sends, the other receives.
    public static func makePair(configuration: Configuration = .init()) -> (InMemoryTransport, InMemoryTransport) {
        let forward = InMemoryPipe(capacity: configuration.bufferedMessages)
        let backward = InMemoryPipe(capacity: configuration.bufferedMessages)
        return (
            InMemoryTransport(outgoing: forward, incoming: backward, configuration: configuration),
            InMemoryTransport(outgoing: backward, incoming: forward, configuration: configuration)
        )
    }

    /// The configured serializer, or an ``InMemorySerializer`` when messages pass as values.
    public var serializer: any WAMPSerializer { configuration.serializer ?? InMemorySerializer() }

    /// ``Configuration/maxSendLength``.
    public var maxSendLength: Int { configuration.maxSendLength }

    /// The messages the peer sent, in order. It ends after the peer's ``close()`` (once the
    /// buffered messages are taken) and at once after this side's ``close()``.
    public var inbound: Inbound { Inbound(pipe: incoming) }

    /// Sends one message to the peer.
    ///
    /// - Throws: ``InMemoryTransportError`` with kind `WAMPTransportErrorKind.connectionClosed`
    ///   once either side closed, or `WAMPTransportErrorKind.messageTooLarge` (the message
    ///   was not sent); the serializer's error when it cannot serialize the message;
    ///   `CancellationError` when the task is cancelled while the send waits for room (the
    ///   message then stays sent).
    public func send(_ message: WAMPMessage) async throws {
        guard let serializer = configuration.serializer else {
            try await outgoing.send(message)
            return
        }
        guard let received = try passThrough(message, serializer) else { return }
        try await outgoing.send(received)
    }

    /// `message` serialized and read back by `serializer`, as the peer gets it; `nil` when it
    /// does not read back (the peer's ``inbound`` then fails, as a real transport's would).
    ///
    /// - Throws: `WAMPTransportErrorKind.messageTooLarge` over ``Configuration/maxSendLength``;
    ///   the serializer's error when it cannot serialize the message.
    private func passThrough(_ message: WAMPMessage, _ serializer: any WAMPSerializer) throws -> WAMPMessage? {
        let bytes: [UInt8] = try serializer.serialize(message)
        guard bytes.count <= configuration.maxSendLength else {
            throw InMemoryTransportError(
                .messageTooLarge,
                "\(message.type) of \(bytes.count) octets is larger than the limit of \(configuration.maxSendLength)")
        }
        do {
            return try serializer.deserialize(bytes)
        } catch {
            outgoing.closeSending(failing: InMemoryTransportError(
                .invalidMessage, "\(message.type) did not deserialize with \(serializer.id): \(error)"))
            incoming.closeReceiving()
            return nil
        }
    }

    /// Sends one message at once when there is room for it in the pipe (and
    /// ``Configuration/sendsWithoutWaiting``); returns `false`, having sent nothing, otherwise.
    ///
    /// - Throws: as ``send(_:)``.
    public func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool {
        guard configuration.sendsWithoutWaiting else { return false }
        guard let serializer = configuration.serializer else { return try outgoing.sendWithoutWaiting(message) }
        guard let received = try passThrough(message, serializer) else { return true }
        return try outgoing.sendWithoutWaiting(received)
    }

    /// Closes the connection: the peer's ``inbound`` ends after the messages already sent, this
    /// side's ends now, and later sends on either side throw.
    public func close() async throws {
        outgoing.closeSending()
        incoming.closeReceiving()
    }

    /// The messages received on an in-memory connection. Iterate it once.
    public struct Inbound: AsyncSequence, Sendable {
        public typealias Element = WAMPMessage
        public typealias Failure = any Error

        let pipe: InMemoryPipe

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pipe: pipe) }

        /// The iterator.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let pipe: InMemoryPipe

            /// The next message, `nil` when the connection closed.
            public mutating func next() async throws -> WAMPMessage? {
                try await pipe.next()
            }
        }
    }
}
