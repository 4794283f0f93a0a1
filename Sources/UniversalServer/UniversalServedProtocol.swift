import Logging
import NIOCore
import RawSocketTransport
import Transport
import WebSocketTransport

/// RawSocket and WebSocket on one port, plugged into the ``ServerEngine``: the first octet
/// picks the protocol, whose own ``ServedProtocol`` does the rest (refusals over the connection
/// limit included).
struct UniversalServedProtocol: ServedProtocol {
    /// What the first octet chose, before that protocol's handshake completed.
    enum Chosen: Sendable {
        case rawSocket(RawSocketServedProtocol.Accepted)
        case webSocket(WebSocketServedProtocol.Accepted)
    }

    let rawSocket: RawSocketServedProtocol
    let webSocket: WebSocketServedProtocol
    /// How long a client may take to send its first octet.
    let firstOctetTimeout: TimeAmount
    /// The connections of the port as a whole (`transport` `universal`); each protocol counts
    /// its handshakes and messages in its own.
    let metrics: TransportMetrics

    func initialize(_ channel: any Channel, admitted: Bool) throws -> EventLoopFuture<Chosen> {
        let promise = channel.eventLoop.makePromise(of: Chosen.self)
        let timer = channel.eventLoop.scheduleTask(in: firstOctetTimeout) { channel.close(promise: nil) }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        channel.closeFuture.whenComplete { _ in
            promise.fail(ChannelError.ioOnClosedChannel)
        }
        let rawSocket = self.rawSocket
        let webSocket = self.webSocket
        try channel.pipeline.syncOperations.addHandler(
            ProtocolSniffingHandler<Chosen>(promise: promise) { channel, isRawSocket in
                isRawSocket
                    ? .rawSocket(try rawSocket.initialize(channel, admitted: admitted))
                    : .webSocket(try webSocket.initialize(channel, admitted: admitted))
            })
        return promise.futureResult
    }

    func connection(from accepted: EventLoopFuture<Chosen>, logger: Logger) async -> UniversalConnection? {
        let chosen: Chosen
        do {
            chosen = try await accepted.get()
        } catch {
            logger.debug("connection closed before its first octet", metadata: ["error": "\(error)"])
            return nil
        }
        switch chosen {
        case .rawSocket(let opened):
            return await rawSocket.connection(from: opened, logger: logger).map(UniversalConnection.rawSocket)
        case .webSocket(let upgrade):
            return await webSocket.connection(from: upgrade, logger: logger).map(UniversalConnection.webSocket)
        }
    }

    func listenFailed(_ description: String, cause: any Error) -> any Error {
        webSocket.listenFailed(description, cause: cause)
    }
}
