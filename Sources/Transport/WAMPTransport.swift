/// A connection that carries typed WAMP messages between two peers, whatever the wire
/// (RawSocket over TCP, TLS or a Unix socket; WebSocket).
///
/// The transport owns framing and the negotiation of the serializer; callers send and
/// receive ``WAMPMessage`` values. Session layers are written against this protocol only, so
/// they run unchanged on every transport.
///
/// ```swift
/// func join(_ transport: some WAMPTransport) async throws -> WAMPID {
///     try await transport.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
///     for try await message in transport.inbound {
///         if case .welcome(let welcome) = message { return welcome.session }
///     }
///     throw CancellationError()
/// }
/// ```
public protocol WAMPTransport: Sendable {
    /// The sequence of received messages.
    associatedtype Inbound: AsyncSequence<WAMPMessage, any Error> & Sendable

    /// The serializer the two peers agreed on.
    var serializer: any WAMPSerializer { get }

    /// The largest serialized message, in octets, that the peer accepts.
    var maxSendLength: Int { get }

    /// The messages received, in order. It ends when the peer closes the connection, and
    /// throws the error that failed the connection (malformed frame, protocol violation,
    /// keepalive timeout, ...). Iterate it once.
    var inbound: Inbound { get }

    /// Serializes and sends one message.
    ///
    /// - Throws: an error when the message is larger than ``maxSendLength`` (the connection
    ///   stays usable), when it cannot be serialized, or when the connection is closed.
    func send(_ message: WAMPMessage) async throws

    /// Sends one message now, without suspending, when the transport can: the caller runs on
    /// the connection's I/O thread (see ``executor``) and the connection takes more without
    /// waiting. Returns `false` when it cannot, having sent nothing: the caller then uses
    /// ``send(_:)``, which waits as it must. A loop that writes many messages from the
    /// connection's thread saves the asynchronous call per message.
    ///
    /// Messages sent this way and with ``send(_:)`` keep the order of the calls.
    ///
    /// - Throws: what ``send(_:)`` throws (nothing is sent).
    /// Default: `false` (every message goes through ``send(_:)``).
    func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool

    /// Closes the connection cleanly. Messages already passed to ``send(_:)`` are written first.
    func close() async throws

    /// The executor the transport does its I/O on, when it has one (an ``EventLoopTaskExecutor``
    /// for transports on SwiftNIO). Code that consumes ``inbound`` and sends in a loop runs
    /// fastest with it as its task executor preference:
    /// `withTaskExecutorPreference(transport.executor) { ... }`, no thread hop per message.
    /// Default: `nil` (no preference).
    var executor: (any TaskExecutor)? { get }
}

extension WAMPTransport {
    /// No executor preference: `nil`.
    public var executor: (any TaskExecutor)? { nil }

    /// Sends nothing: `false`, every message goes through ``send(_:)``.
    public func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool { false }
}
