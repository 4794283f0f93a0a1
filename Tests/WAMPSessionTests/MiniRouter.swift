import JSONSerializer
import RawSocketTransport
import Synchronization
import Transport

/// A tiny WAMP router on a real RawSocket server, for reconnection tests: WELCOME for HELLO,
/// SUBSCRIBED for SUBSCRIBE, REGISTERED for REGISTER, GOODBYE for GOODBYE; ``publish(_:)``
/// sends an EVENT to every subscription.
final class MiniRouter: Sendable {
    let server: RawSocketServer
    private let serving: Task<Void, any Error>
    private let subscriptions: Subscriptions
    private let subscribed: AsyncStream<Void>

    /// The subscriptions made, on any connection.
    final class Subscriptions: Sendable {
        let list = Mutex<[(connection: RawSocketConnection, subscription: WAMPID)]>([])
    }

    private init(server: RawSocketServer, session: WAMPID) {
        self.server = server
        let subscriptions = Subscriptions()
        let (subscribed, subscribedContinuation) = AsyncStream.makeStream(of: Void.self)
        self.subscriptions = subscriptions
        self.subscribed = subscribed
        serving = Task {
            try await server.run { connection in
                for try await message in connection.inbound {
                    switch message {
                    case .hello:
                        try await connection.send(.welcome(.init(session: session, details: ["roles": ["broker": [:], "dealer": [:]]])))
                    case .subscribe(let subscribe):
                        let id = 1000 + subscribe.request
                        subscriptions.list.withLock { $0.append((connection, id)) }
                        try await connection.send(.subscribed(.init(request: subscribe.request, subscription: id)))
                        subscribedContinuation.yield()
                    case .register(let register):
                        try await connection.send(.registered(.init(request: register.request, registration: 2000 + register.request)))
                    case .goodbye:
                        try await connection.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
                    default:
                        break
                    }
                }
            }
        }
    }

    /// Starts a router on 127.0.0.1:`port` (0: any free port) that gives session ID `session`.
    static func start(port: Int = 0, session: WAMPID) async throws -> MiniRouter {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: port), serializers: [WAMPJSONSerializer()])
        return MiniRouter(server: server, session: session)
    }

    var port: Int { server.port ?? 0 }

    /// Waits for the next SUBSCRIBE to be answered.
    func waitForSubscription() async {
        for await _ in subscribed { return }
    }

    /// Sends an EVENT with `args` to every subscription.
    func publish(_ args: [WAMPValue]) async throws {
        for (connection, subscription) in subscriptions.list.withLock({ $0 }) {
            try await connection.send(.event(.init(subscription: subscription, publication: 1, payload: .arguments(args, [:]))))
        }
    }

    /// Closes every connection and the listening socket.
    func stop() async {
        await server.shutdown()
        serving.cancel()
        _ = await serving.result
    }
}
