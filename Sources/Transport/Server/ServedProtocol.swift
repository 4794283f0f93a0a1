package import Logging
package import NIOCore

/// One protocol that a ``ServerEngine`` serves: how an accepted channel is set up (after TLS)
/// and how it becomes a connection once its opening handshake completed. RawSocket, WebSocket
/// and the server that tells them apart by the first octet each implement it; the engine owns
/// everything else (listening, tracking, the connection limit, handlers, shutdown).
package protocol ServedProtocol: Sendable {
    /// What the channel initializer produces, before the handshake completed.
    associatedtype Accepted: Sendable
    /// The connection handed to handlers.
    associatedtype Connection: ServedConnection

    /// Installs the protocol's handlers on an accepted channel, on its event loop. When
    /// `admitted` is false (the server is at its connection limit, or shutting down), the
    /// protocol refuses the client its own way (RawSocket handshake error 4, HTTP 503) and
    /// closes the channel.
    func initialize(_ channel: any Channel, admitted: Bool) throws -> Accepted

    /// Waits for the opening handshake; `nil` when it was refused or failed (the channel is
    /// then closed and the reason logged).
    func connection(from accepted: Accepted, logger: Logger) async -> Connection?

    /// The server's transport metrics: the engine counts connections opened, closed and
    /// refused in them, the protocol its handshakes, messages and errors.
    var metrics: TransportMetrics { get }

    /// The transport's error for a server that cannot listen (`description` says where and why).
    func listenFailed(_ description: String, cause: any Error) -> any Error
}
