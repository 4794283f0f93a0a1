internal import Logging
package import NIOCore
import NIOConcurrencyHelpers
internal import NIOPosix
package import NIOSSL

/// What the transports' clients share: TLS and the server name, a connect and an opening
/// handshake that honour task cancellation, and the scoped form that closes the connection
/// when its body ends.
package enum ClientConnector {
    /// The TLS handler factory for a client, or `nil` without TLS: TLS when the endpoint asks
    /// for it (`rss://`, `wss://`) or a configuration is given; the system's defaults for a
    /// client (certificate verification on) when none is. The server name for SNI and
    /// certificate verification is `serverHostname`, else the host when it is a name, not an
    /// IP address.
    package static func tlsHandlerFactory(
        tls: TLSConfiguration?, endpointUsesTLS: Bool, host: String?, serverHostname: String?
    ) throws -> (@Sendable () throws -> NIOSSLClientHandler)? {
        guard endpointUsesTLS || tls != nil else { return nil }
        let context = try NIOSSLContext(configuration: tls ?? .makeClientConfiguration())
        let name = serverHostname ?? host.flatMap { isIPAddress($0) ? nil : $0 }
        return { try NIOSSLClientHandler(context: context, serverHostname: name) }
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    package static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// Connects a channel to `address`, installing the transport with `initialize` on its event
    /// loop, and returns what `initialize` made. Cancelling the task ends the wait at once; a
    /// channel that connects after that is closed.
    package static func connect<Output: Sendable>(
        _ address: ListenAddress, group: any EventLoopGroup, connectTimeout: TimeAmount,
        initialize: @escaping @Sendable (any Channel) throws -> Output
    ) async throws -> Output {
        try Task.checkCancellation()
        let loop = group.next()
        let output = loop.makePromise(of: Output.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .tcp = address { try channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1) }
                    output.succeed(try initialize(channel))
                }
            }
        let connected: EventLoopFuture<any Channel>
        switch address {
        case .tcp(let host, let port): connected = bootstrap.connect(host: host, port: port)
        case .unix(let path): connected = bootstrap.connect(unixDomainSocketPath: path)
        }
        connected.whenFailure { output.fail($0) }
        let channel = connected
        return try await cancellableValue(of: connected.flatMap { _ in output.futureResult }) { _ in
            channel.whenSuccess { $0.close(promise: nil) }
        }
    }

    /// Waits for an opening handshake on `channel`; cancelling the task closes the channel and
    /// throws `CancellationError`.
    package static func handshake<Value: Sendable>(
        _ future: EventLoopFuture<Value>, on channel: any Channel
    ) async throws -> Value {
        do {
            return try await cancellableValue(of: future) { _ in channel.close(promise: nil) }
        } catch is CancellationError {
            channel.close(promise: nil)
            throw CancellationError()
        }
    }

    /// The value of `future`, or `CancellationError` as soon as the task is cancelled; a value
    /// that arrives after that is handed to `discard`.
    package static func cancellableValue<Value: Sendable>(
        of future: EventLoopFuture<Value>, discard: @escaping @Sendable (Value) -> Void
    ) async throws -> Value {
        let waiter = NIOLockedValueBox<CheckedContinuation<Value, any Error>?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                waiter.withLockedValue { $0 = continuation }
                if Task.isCancelled, let early = waiter.withLockedValue({ $0.take() }) {
                    early.resume(throwing: CancellationError())
                }
                future.whenComplete { result in
                    if let waiting = waiter.withLockedValue({ $0.take() }) {
                        waiting.resume(with: result)
                    } else if case .success(let value) = result {
                        discard(value)
                    }
                }
            }
        } onCancel: {
            waiter.withLockedValue { $0.take() }?.resume(throwing: CancellationError())
        }
    }

    /// Connects with `connect`, runs `body` with the connection (on its event loop when
    /// `runsOnEventLoop`), and closes the connection when `body` returns (normally) or throws
    /// (going away).
    package static func withConnection<Connection: ServedConnection, Result: Sendable>(
        runsOnEventLoop: Bool, connect: () async throws -> Connection,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect()
        do {
            let result = try await withTaskExecutorPreference(runsOnEventLoop ? connection.executor : nil) {
                try await body(connection)
            }
            await connection.close(reason: .normal)
            return result
        } catch {
            await connection.close(reason: .goingAway)
            throw error
        }
    }
}
