import Foundation
import JSONSerializer
import Logging
import NIOCore
import NIOPosix
import RawSocketTransport
import ServiceLifecycle
import Testing
import TimeGuards
import Transport
import UniversalServer
import WebSocketTransport

/// The three public servers are one engine: the same connection limit, the same graceful
/// shutdown, the same `Service` life cycle.
@Suite("Server engine: Service, limits, shutdown", .scaledTimeLimit(minutes: 3))
struct ServerEngineTests {
    /// A generous guard against hangs (not a measurement).
    static let guardSeconds = 60.0 * (Double(ProcessInfo.processInfo.environment["WAMP_TEST_TIME_SCALE"] ?? "1") ?? 1)

    enum Kind: String, CaseIterable, Sendable {
        case rawSocket, webSocket, universalRawSocket, universalWebSocket
    }

    /// A server of `kind` bound on a free loopback port, with `handler`, and how to connect to it.
    struct Bound: Sendable {
        let server: any Service
        let shutdown: @Sendable () async -> Void
        let connect: @Sendable () async throws -> any WAMPTransport
        let connectionCount: @Sendable () -> Int
    }

    /// Binds a server of `kind`. With `unboundedOffLoopSends`, handlers run off the event loop
    /// and their sends return at once, whatever is still unwritten (it waits in the server).
    static func bind(
        _ kind: Kind, maxConnections: Int? = nil, closeTimeout: Duration = .seconds(30),
        unboundedOffLoopSends: Bool = false,
        handler: @escaping @Sendable (any WAMPTransport) async throws -> Void
    ) async throws -> Bound {
        let serializers: [any WAMPSerializer] = [WAMPJSONSerializer()]
        var shared = WAMPConnectionSettings()
        shared.closeTimeout = closeTimeout
        if unboundedOffLoopSends {
            shared.runsHandlersOnEventLoop = false
            shared.maxUnwrittenSendBytes = 1 << 30
        }
        let rawSocketConfiguration = RawSocketConfiguration { $0.shared = shared }
        let webSocketConfiguration = WebSocketConfiguration { $0.shared = shared }
        switch kind {
        case .rawSocket:
            let server = try await RawSocketServer.bind(
                to: .tcp(host: "127.0.0.1", port: 0), serializers: serializers, configuration: rawSocketConfiguration,
                maxConnections: maxConnections, handler: { try await handler($0) })
            let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: server.port!)
            return Bound(
                server: server, shutdown: { await server.shutdown() },
                connect: { try await RawSocketClient.connect(to: endpoint, serializers: serializers) },
                connectionCount: { server.connectionCount })
        case .webSocket:
            let server = try await WebSocketServer.bind(
                to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"), serializers: serializers,
                configuration: webSocketConfiguration, maxConnections: maxConnections, handler: { try await handler($0) })
            let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: server.port!, path: "/ws")
            return Bound(
                server: server, shutdown: { await server.shutdown() },
                connect: { try await WebSocketClient.connect(to: endpoint, serializers: serializers) },
                connectionCount: { server.connectionCount })
        case .universalRawSocket, .universalWebSocket:
            let server = try await WAMPUniversalServer.bind(
                to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: "/ws"), serializers: serializers,
                rawSocketConfiguration: rawSocketConfiguration, webSocketConfiguration: webSocketConfiguration,
                maxConnections: maxConnections, handler: { try await handler($0) })
            let port = server.port!
            let connect: @Sendable () async throws -> any WAMPTransport
            if kind == .universalRawSocket {
                connect = { try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: port), serializers: serializers) }
            } else {
                let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: port, path: "/ws")
                connect = { try await WebSocketClient.connect(to: endpoint, serializers: serializers) }
            }
            return Bound(
                server: server, shutdown: { await server.shutdown() }, connect: connect,
                connectionCount: { server.connectionCount })
        }
    }

    static func echo(_ transport: any WAMPTransport) async throws {
        for try await message in transport.inbound { try await transport.send(message) }
    }

    @Test("A ServiceGroup's graceful shutdown closes open connections cleanly and run() returns",
          arguments: Kind.allCases)
    func serviceGroupGracefulShutdown(_ kind: Kind) async throws {
        let bound = try await Self.bind(kind, handler: Self.echo)
        let group = ServiceGroup(configuration: .init(services: [bound.server], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let client = try await bound.connect()
            let hello = WAMPMessage.hello(.init(realm: "realm1", details: [:]))
            try await client.send(hello)
            var inbound = client.inbound.makeAsyncIterator()
            #expect(try await inbound.next() == hello)
            await group.triggerGracefulShutdown()
            // The server closes the connection cleanly: the sequence ends without an error.
            let after = try await inbound.next()
            #expect(after == nil)
            try await tasks.next()
            try? await client.close()
        }
    }

    @Test("run() without a handler given to bind throws invalidConfiguration")
    func runWithoutHandler() async throws {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPJSONSerializer()])
        defer { Task { await server.shutdown() } }
        await #expect {
            try await server.run()
        } throws: { error in
            (error as? any WAMPTransportError)?.kind == .invalidConfiguration
        }
        await server.shutdown()
    }

    /// Before the engine, `WAMPUniversalServer` had no connection limit (`wamp echo-server
    /// --universal --max-connections N` ignored N).
    @Test("Every server refuses connections over maxConnections, the way of its protocol", arguments: Kind.allCases)
    func connectionLimit(_ kind: Kind) async throws {
        let bound = try await Self.bind(kind, maxConnections: 1) { transport in
            for try await _ in transport.inbound {}
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await bound.server.run() }
            let first = try await bound.connect()
            await #expect {
                _ = try await bound.connect()
            } throws: { error in
                (error as? any WAMPTransportError)?.kind == .refused
            }
            try await first.close()
            // Once the first is gone, a new client is admitted again.
            try await waitFor(Self.guardSeconds) { bound.connectionCount() == 0 }
            let second = try await bound.connect()
            try await second.close()
            await bound.shutdown()
            try await tasks.waitForAll()
        }
    }

    /// Before the engine, `WAMPUniversalServer.shutdown()` closed RawSocket connections without
    /// writing what was queued, although its documentation promised it.
    @Test("Shutdown writes what a handler sent before closing, for a peer that reads late",
          arguments: [Kind.rawSocket, .universalRawSocket])
    func shutdownFlushes(_ kind: Kind) async throws {
        // 16 MiB: more than loopback's socket buffers take, so that most of it still waits in
        // the server when the shutdown begins.
        let count = 256
        let filler = String(repeating: "x", count: 64 * 1024)
        let sent = AsyncStream<Void>.makeStream()
        let bound = try await Self.bind(kind, unboundedOffLoopSends: true) { transport in
            for index in 1 ... count {
                try await transport.send(.publish(.init(request: UInt64(index), topic: "t", payload: .arguments([.string(filler)], [:]))))
            }
            sent.continuation.yield()
            for try await _ in transport.inbound {}
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await bound.server.run() }
            // The client reads nothing until the handler has sent everything (most of it waits
            // in the server's buffers) and the shutdown has begun.
            let client = try await bound.connect()
            var signal = sent.stream.makeAsyncIterator()
            await signal.next()
            tasks.addTask { await bound.shutdown() }
            try await Task.sleep(for: .milliseconds(200))
            var received = 0
            for try await message in client.inbound {
                if case .publish = message { received += 1 }
            }
            #expect(received == count)
            try await tasks.waitForAll()
        }
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `seconds`.
func waitFor(_ seconds: Double, _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw DeadlineExceeded(seconds: seconds) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}
