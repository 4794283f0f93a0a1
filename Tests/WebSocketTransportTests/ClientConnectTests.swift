import Foundation
import JSONSerializer
import MsgPackSerializer
import NIOCore
import NIOPosix
import NetworkTestSupport
import RawSocketTransport
import Testing
import TimeGuards
import Transport
import WebSocketTransport

/// The clients of both transports: cancellation, timeouts, serializer choice, and the errors
/// that code written against `WAMPTransport` matches without knowing the transport.
@Suite("Clients: cancellation, timeouts, error kinds", .scaledTimeLimit(minutes: 2))
struct ClientConnectTests {
    enum Kind: String, CaseIterable, Sendable { case rawSocket, webSocket }

    static func connect(
        _ kind: Kind, port: Int, handshakeTimeout: Duration = .seconds(120),
        serializers: [any WAMPSerializer] = [WAMPJSONSerializer()]
    ) async throws -> any WAMPTransport {
        switch kind {
        case .rawSocket:
            return try await RawSocketClient.connect(
                to: .tcp(host: "127.0.0.1", port: port), serializers: serializers,
                configuration: .init { $0.handshakeTimeout = handshakeTimeout })
        case .webSocket:
            return try await WebSocketClient.connect(
                to: WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws"), serializers: serializers,
                configuration: .init { $0.handshakeTimeout = handshakeTimeout })
        }
    }

    /// Before the fix, a cancelled connect waited for the whole handshake timeout.
    @Test("Cancelling a connect whose handshake never completes ends it at once", arguments: Kind.allCases)
    func connectHonoursCancellation(_ kind: Kind) async throws {
        try await withSilentServer { port in
            let started = ContinuousClock.now
            let task = Task { try await Self.connect(kind, port: port, handshakeTimeout: .seconds(120)) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            // A guard, not a measurement: far below the 120 s handshake timeout.
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }

    /// Before the fix, the WebSocket client reported its own handshake timeout as
    /// `.connectionFailed`.
    @Test("A handshake that does not complete in time is a handshakeTimeout error (timedOut)", arguments: Kind.allCases)
    func handshakeTimeout(_ kind: Kind) async throws {
        _ = try await withSilentServer { port in
            await #expect {
                _ = try await Self.connect(kind, port: port, handshakeTimeout: .milliseconds(300))
            } throws: { error in
                switch error {
                case let error as RawSocketError: error.code == .handshakeTimeout && error.kind == .timedOut
                case let error as WebSocketError: error.code == .handshakeTimeout && error.kind == .timedOut
                default: false
                }
            }
        }
    }

    @Test("A refused TCP connect is a connectionFailed error saying so", arguments: Kind.allCases)
    func connectionRefused(_ kind: Kind) async throws {
        try await withRefusingPort { port in
            await #expect {
                _ = try await Self.connect(kind, port: port)
            } throws: { error in
                guard let error = error as? any WAMPTransportError, error.kind == .connectionFailed else { return false }
                return "\(error)".contains("connection refused")
            }
        }
    }

    @Test("A RawSocket client offered several serializers takes the next when the server refuses one")
    func rawSocketSerializerFallback() async throws {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPMsgPackSerializer()])
        let runner = Task { try await server.run { connection in for try await _ in connection.inbound {} } }
        defer { runner.cancel() }
        let connection = try await RawSocketClient.connect(
            to: .tcp(host: "127.0.0.1", port: server.port!), serializers: [WAMPJSONSerializer(), WAMPMsgPackSerializer()])
        #expect(connection.serializer.id == .msgpack)
        try await connection.close()
        await server.shutdown()
        _ = await runner.result
    }

    @Test("Code written against WAMPTransport tells messageTooLarge and connectionClosed apart on both transports",
          arguments: Kind.allCases)
    func errorKindsAreTransportIndependent(_ kind: Kind) async throws {
        let rawSocket = try await RawSocketServer.bind(
            to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPJSONSerializer()],
            configuration: .init { $0.maxReceiveLength = 512 })
        let webSocket = try await WebSocketServer.bind(
            to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"), serializers: [WAMPJSONSerializer()])
        let drain: @Sendable (any WAMPTransport) async throws -> Void = { for try await _ in $0.inbound {} }
        let runners = [Task { try await rawSocket.run(drain) }, Task { try await webSocket.run(drain) }]
        let transport = try await Self.connect(kind, port: kind == .rawSocket ? rawSocket.port! : webSocket.port!)
        let large = WAMPMessage.publish(.init(
            request: 1, topic: "t", payload: .arguments([.string(String(repeating: "x", count: 1 << 25))], [:])))
        await #expect { try await transport.send(large) } throws: { error in
            (error as? any WAMPTransportError)?.kind == .messageTooLarge
        }
        try await transport.close()
        await #expect { try await transport.send(.goodbye(.init(reason: "wamp.close.normal"))) } throws: { error in
            (error as? any WAMPTransportError)?.kind == .connectionClosed
        }
        await rawSocket.shutdown()
        await webSocket.shutdown()
        for runner in runners { _ = await runner.result }
    }
}

/// A TCP server on 127.0.0.1 that accepts connections and never answers (their handshakes
/// never complete), for `body`.
func withSilentServer<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0).get()
    defer { channel.close(promise: nil) }
    return try await body(channel.localAddress!.port!)
}
