public import RawSocketTransport
public import Transport
public import WebSocketTransport

/// A connection accepted by a ``WAMPUniversalServer``: RawSocket or WebSocket, whichever
/// the client spoke.
public enum UniversalConnection: Sendable {
    /// A RawSocket client (its first octet was 0x7F).
    case rawSocket(RawSocketConnection)
    /// A WebSocket client (an HTTP upgrade request).
    case webSocket(WebSocketConnection)

    /// The connection as a transport, for code written against ``WAMPTransport`` only.
    public var transport: any WAMPTransport {
        switch self {
        case .rawSocket(let connection): return connection
        case .webSocket(let connection): return connection
        }
    }

    /// The serializer the client negotiated.
    public var serializer: any WAMPSerializer { transport.serializer }

    /// Closes the connection cleanly.
    public func close() async throws {
        try await transport.close()
    }

    /// Completes when the connection is closed, by either side.
    public var closed: Void {
        get async {
            switch self {
            case .rawSocket(let connection): await connection.closed
            case .webSocket(let connection): await connection.closed
            }
        }
    }
}
