import Foundation
import Logging
import RawSocketTransport
import ServiceLifecycle
import Transport
import WAMPRouter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``WAMPRouter`` in the test process behind real RawSocket servers, laid out like the
/// Crossbar.io node of ``CrossbarRouter`` (``SessionRouterEndpoints``): TCP 127.0.0.1 on a free
/// port and a Unix socket in a temporary directory, both up to 4 MiB, and TCP 127.0.0.1 up to
/// 65536 octets; realm `realm1`; JSON, MessagePack and CBOR.
enum EmbeddedRouter {
    /// The largest message of the ordinary listeners, as Crossbar's `max_message_size`.
    static let maxReceiveLength = 4 * 1024 * 1024
    /// The largest message of the small-limit listener.
    static let smallMaxReceiveLength = 65536

    /// Realm `authrealm`: the users of ``SessionRouterChecks/authCases`` with the credentials the
    /// Crossbar.io test node has for them, role `authenticated` allowed everything, no
    /// anonymous sessions. The router authenticates per realm, so it is on every listener.
    static var authRealm: WAMPRouter.Realm {
        var realm = WAMPRouter.Realm("authrealm")
        realm.allowsAnonymous = false
        realm.roles = [WAMPRole("authenticated", permissions: [
            WAMPPermission(uri: "", match: .prefix, allow: [.call, .register, .publish, .subscribe]),
        ])]
        realm.users = [
            WAMPUser(authid: "ticketuser", authrole: "authenticated", ticket: "ticket-secret"),
            WAMPUser(authid: "crauser", authrole: "authenticated", wampcra: .init(secret: "cra-secret")),
            WAMPUser(authid: "saltuser", authrole: "authenticated",
                     wampcra: .init(secret: "salted-secret", salt: "salt123", iterations: 100, keyLength: 16)),
            WAMPUser(authid: "signuser", authrole: "authenticated", cryptosignKeys: [SessionRouterChecks.cryptosignTestPublicKey]),
        ]
        return realm
    }

    /// Binds the servers, runs the router and the servers while `body` runs, then shuts them
    /// down (GOODBYE to the sessions still joined) and removes the directory.
    static func run<Value: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (SessionRouterEndpoints) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "wamp.interop.embedded-router")
        logger.logLevel = .warning
        let router = WAMPRouter(configuration: .init(realms: ["realm1", authRealm]), logger: logger)
        var template = Array("/tmp/wamp-embedded-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PeerFailure("mkdtemp failed: errno \(errno)")
        }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        func bind(_ endpoint: RawSocketEndpoint, maxReceiveLength: Int) async throws -> RawSocketServer {
            try await RawSocketServer.bind(
                to: endpoint, serializers: InteropSerializer.allSerializers,
                configuration: RawSocketConfiguration { $0.maxReceiveLength = maxReceiveLength }, logger: logger
            ) { connection in
                await router.serve(connection)
            }
        }
        let tcp = try await bind(.tcp(host: "127.0.0.1", port: 0), maxReceiveLength: maxReceiveLength)
        let unixPath = directory + "/router.sock"
        let unix = try await bind(.unix(path: unixPath), maxReceiveLength: maxReceiveLength)
        let small = try await bind(.tcp(host: "127.0.0.1", port: 0), maxReceiveLength: smallMaxReceiveLength)
        guard let tcpPort = tcp.port, let smallPort = small.port else { throw PeerFailure("a loopback server has no port") }
        let endpoints = SessionRouterEndpoints(
            tcp: .tcp(host: "127.0.0.1", port: tcpPort), unix: .unix(path: unixPath),
            smallLimitTCP: .tcp(host: "127.0.0.1", port: smallPort), authTCP: .tcp(host: "127.0.0.1", port: tcpPort))

        // The router last: graceful shutdown stops it first, then the servers.
        let group = ServiceGroup(configuration: .init(services: [tcp, unix, small, router], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self, returning: Value.self) { tasks in
            tasks.addTask { try await group.run() }
            let value: Value
            do {
                value = try await body(endpoints)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        }
    }
}
