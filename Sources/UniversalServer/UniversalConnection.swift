import NIOCore
public import RawSocketTransport
public import Transport
public import WebSocketTransport

/// A connection accepted by a ``WAMPUniversalServer``: RawSocket or WebSocket, whichever
/// the client spoke. It is a `WAMPTransport` itself, so code written against the protocol
/// serves both without looking.
public enum UniversalConnection: WAMPTransport {
    /// A RawSocket client (its first octet was 0x7F).
    case rawSocket(RawSocketConnection)
    /// A WebSocket client (an HTTP upgrade request).
    case webSocket(WebSocketConnection)

    /// The typed messages received, in order. See `WAMPTransport.inbound`.
    public typealias Inbound = WAMPMessageSequence

    /// The connection as a transport.
    public var transport: any WAMPTransport { served }

    private var served: any ServedConnection {
        switch self {
        case .rawSocket(let connection): connection
        case .webSocket(let connection): connection
        }
    }

    /// The serializer the client negotiated.
    public var serializer: any WAMPSerializer { transport.serializer }
    /// The largest serialized message this side may send.
    public var maxSendLength: Int { transport.maxSendLength }
    /// The connection's event loop as a task executor.
    public var executor: (any TaskExecutor)? { transport.executor }

    /// The typed messages received, in order.
    public var inbound: WAMPMessageSequence {
        switch self {
        case .rawSocket(let connection): connection.inbound
        case .webSocket(let connection): connection.inbound
        }
    }

    /// Serializes and sends one message.
    public func send(_ message: WAMPMessage) async throws {
        try await transport.send(message)
    }

    /// Sends one message at once when the connection takes it without waiting; see
    /// `WAMPTransport.sendWithoutWaiting(_:)`.
    public func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool {
        switch self {
        case .rawSocket(let connection): try connection.sendWithoutWaiting(message)
        case .webSocket(let connection): try connection.sendWithoutWaiting(message)
        }
    }

    /// Closes the connection cleanly.
    public func close() async throws {
        try await transport.close()
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async { await served.closed }
    }
}

extension UniversalConnection: ServedConnection {
    package func close(reason: TransportCloseRequest.Reason) async {
        await served.close(reason: reason)
    }
}
