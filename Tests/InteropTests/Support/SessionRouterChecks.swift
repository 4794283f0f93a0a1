import Foundation
import RawSocketTransport
import Testing
import Transport
import WAMPSession

/// Runs `body` with a ``WAMPSession`` over a new RawSocket connection (with a timeout on
/// connecting); the session leaves when `body` returns.
func withRouterSession<Value>(
    _ endpoint: RawSocketEndpoint, _ serializer: InteropSerializer, realm: String = "realm1",
    configuration: WAMPSession.Configuration = interopSessionConfiguration,
    rawSocket: RawSocketConfiguration = interopRawSocketConfiguration,
    isolation: isolated (any Actor)? = #isolation, _ body: (WAMPSession) async throws -> Value
) async throws -> Value {
    let connection = try await withTimeout(InteropTimeouts.message, "connecting to \(endpoint)") {
        try await RawSocketClient.connect(to: endpoint, serializers: [serializer.serializer], configuration: rawSocket)
    }
    return try await WAMPSession.withSession(joining: connection, realm: realm, configuration: configuration, body)
}

extension RouterTransport {
    /// The endpoint of this transport at the router under test.
    func endpoint(_ router: SessionRouterEndpoints) -> RawSocketEndpoint {
        switch self {
        case .tcp: return router.tcp
        case .unix: return router.unix
        }
    }
}

/// The session layer's checks against a router, written once and run against Crossbar.io
/// (`SessionCrossbarTests.swift`) and against the embedded ``WAMPRouter`` in this process
/// (`SessionEmbeddedRouterTests.swift`). Each is named by the tests that run it.
enum SessionRouterChecks {
    /// The transport and serializer combinations of the parametrized checks.
    static let cases: [(RouterTransport, InteropSerializer)] = RouterTransport.allCases.flatMap { transport in
        InteropSerializer.allCases.map { (transport, $0) }
    }

    /// WAMPSession: join, typed call to a registered handler on a second session, leave
    static func callAndRegister(_ router: SessionRouterEndpoints, _ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let endpoint = transport.endpoint(router)
        let procedure = "com.example.session.add.\(transport).\(serializer)"
        try await withRouterSession(endpoint, serializer) { callee in
            try await withRouterSession(endpoint, serializer) { caller in
                #expect(await callee.sessionID != nil)
                _ = try await callee.register(procedure) { invocation in
                    try invocation.decode([Int].self).reduce(0, +)
                }
                let sum: Int = try await withTimeout(InteropTimeouts.message, "the call") { try await caller.call(procedure, 2, 3) }
                #expect(sum == 5)
                let echo = try await callee.register(procedure + ".echo") { invocation in
                    WAMPResult(args: invocation.args, kwargs: invocation.kwargs)
                }
                let result = try await withTimeout(InteropTimeouts.message, "the echo call") {
                    try await caller.call(procedure + ".echo", args: sampleArgs, kwargs: sampleKwargs)
                }
                #expect(result.args == sampleArgs)
                #expect(result.kwargs == sampleKwargs)
                try await echo.unregister()
            }
        }
    }

    /// WAMPSession: subscribe, publish with acknowledge from a second session, the event arrives
    static func publishSubscribe(_ router: SessionRouterEndpoints, _ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let endpoint = transport.endpoint(router)
        let topic = "com.example.session.topic.\(transport).\(serializer)"
        try await withRouterSession(endpoint, serializer) { subscriber in
            try await withRouterSession(endpoint, serializer) { publisher in
                let events = try await subscriber.subscribe(topic)
                let publication = try await withTimeout(InteropTimeouts.message, "PUBLISHED") {
                    try await publisher.publish(topic, args: [1, "two"], kwargs: ["three": 3.0], acknowledge: true)
                }
                #expect(publication != nil)
                let event = try await withTimeout(InteropTimeouts.message, "the EVENT") { () -> WAMPEvent? in
                    for try await event in events { return event }
                    return nil
                }
                #expect(event?.args == [1, "two"])
                #expect(event?.kwargs == ["three": 3.0])
                #expect(event?.publication == publication)
                try await events.unsubscribe()
            }
        }
    }

    /// WAMPSession: a call to an unknown procedure throws WAMPError wamp.error.no_such_procedure
    static func callError(_ router: SessionRouterEndpoints) async throws {
        try await withRouterSession(router.tcp, .json) { session in
            let error = await #expect(throws: WAMPError.self) {
                try await withTimeout(InteropTimeouts.message, "the call") { try await session.call("com.example.session.nobody", args: [1]) }
            }
            #expect(error?.uri == WAMPURI.noSuchProcedure)
        }
    }

    /// WAMPSession: a handler's WAMPError reaches the caller with its URI, args and kwargs
    static func handlerError(_ router: SessionRouterEndpoints) async throws {
        try await withRouterSession(router.tcp, .msgpack) { callee in
            try await withRouterSession(router.unix, .json) { caller in
                _ = try await callee.register("com.example.session.fails") { _ -> WAMPResult in
                    throw WAMPError("com.example.session.refused", args: ["because"], kwargs: ["code": 42])
                }
                let error = await #expect(throws: WAMPError.self) {
                    try await withTimeout(InteropTimeouts.message, "the call") { try await caller.call("com.example.session.fails") }
                }
                #expect(error?.uri == "com.example.session.refused")
                #expect(error?.args == ["because"])
                #expect(error?.kwargs == ["code": 42])
            }
        }
    }

    /// WAMPSession: a call larger than the router's limit throws the transport's .messageTooLarge, the session stays usable; a result too large becomes ERROR wamp.error.runtime_error
    static func callTooLarge(_ router: SessionRouterEndpoints) async throws {
        try await withRouterSession(router.tcp, .msgpack) { callee in
            try await withRouterSession(router.smallLimitTCP, .msgpack) { caller in
                try await callee.register("com.example.session.size") { invocation in invocation.args.count }
                let error = await #expect(throws: RawSocketError.self) {
                    _ = try await caller.call("com.example.session.size", args: [.binary(testBytes(count: 70_000))])
                }
                #expect(error?.code == .messageTooLarge)
                let count: Int = try await withTimeout(InteropTimeouts.message, "the next call") {
                    try await caller.call("com.example.session.size", "small")
                }
                #expect(count == 1)

                // A handler's result too large for the router: the caller still gets an answer, an ERROR.
                try await withRouterSession(router.smallLimitTCP, .json) { smallCallee in
                    try await smallCallee.register("com.example.session.huge") { _ in WAMPResult(args: [.binary(testBytes(count: 70_000))]) }
                    try await withRouterSession(router.tcp, .json) { bigCaller in
                        let refused = await #expect(throws: WAMPError.self) {
                            try await withTimeout(InteropTimeouts.message, "the huge call") { try await bigCaller.call("com.example.session.huge") }
                        }
                        #expect(refused?.uri == WAMPError.runtimeErrorURI)
                    }
                }
            }
        }
    }

    /// WAMPSession: joining a realm that does not exist throws .aborted with the router's reason
    static func abort(_ router: SessionRouterEndpoints) async throws {
        let error = await #expect(throws: WAMPSessionError.self) {
            try await withRouterSession(router.tcp, .json, realm: "com.example.nosuchrealm") { _ in }
        }
        #expect(error?.code == .aborted)
        #expect(error?.reason == "wamp.error.no_such_realm")
    }

    /// WAMPSession: a router that never answers HELLO (client RawSocket limit 512) gives .joinTimedOut
    static func joinTimeout(_ router: SessionRouterEndpoints) async throws {
        var configuration = WAMPSession.Configuration()
        configuration.joinTimeout = .seconds(2)
        let error = await #expect(throws: WAMPSessionError.self) {
            try await withRouterSession(
                router.tcp, .json, configuration: configuration, rawSocket: RawSocketConfiguration { $0.maxReceiveLength = 512 }
            ) { _ in }
        }
        #expect(error?.code == .joinTimedOut)
    }

    /// WAMPSession: cancelling a call's task sends CANCEL; the router interrupts the callee's handler
    static func cancel(_ router: SessionRouterEndpoints) async throws {
        try await withRouterSession(router.tcp, .json) { callee in
            try await withRouterSession(router.tcp, .json) { caller in
                let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
                let (interrupted, interruptedContinuation) = AsyncStream.makeStream(of: Void.self)
                _ = try await callee.register("com.example.session.forever") { _ -> WAMPResult in
                    startedContinuation.yield()
                    do {
                        try await Task.sleep(for: .seconds(3600))
                    } catch {
                        interruptedContinuation.yield()
                        throw error
                    }
                    return WAMPResult()
                }
                let call = Task { try await caller.call("com.example.session.forever", options: .init(cancelMode: .kill)) }
                try await withTimeout(InteropTimeouts.message, "the handler to start") { for await _ in started { break } }
                call.cancel()
                await #expect(throws: CancellationError.self) { try await call.value }
                try await withTimeout(InteropTimeouts.message, "the INTERRUPT to cancel the handler") { for await _ in interrupted { break } }
                // The caller's session is still usable after the router's late ERROR.
                let echo = try await callee.register("com.example.session.after") { _ in "fine" }
                let text: String = try await withTimeout(InteropTimeouts.message, "the next call") { try await caller.call("com.example.session.after") }
                #expect(text == "fine")
                try await echo.unregister()
            }
        }
    }

    /// WAMPSession: the router killing the session (GOODBYE) ends it; subscriptions finish with the reason
    static func killedByRouter(_ router: SessionRouterEndpoints) async throws {
        try await withRouterSession(router.tcp, .msgpack) { victim in
            try await withRouterSession(router.tcp, .json) { killer in
                let events = try await victim.subscribe("com.example.session.victim")
                let id = try #require(await victim.sessionID)
                _ = try await withTimeout(InteropTimeouts.message, "wamp.session.kill") {
                    try await killer.call("wamp.session.kill", args: [.integer(exactly: id)], kwargs: ["reason": "com.example.kicked"])
                }
                let error = await #expect(throws: WAMPSessionError.self) {
                    try await withTimeout(InteropTimeouts.message, "the subscription to end") { for try await _ in events {} }
                }
                #expect(error?.reason == "com.example.kicked")
            }
        }
    }

    /// The users of realm `authrealm` at ``SessionRouterEndpoints/authTCP``, each with role
    /// `authenticated` (the router under test is configured with the same credentials).
    static let authCases: [(String, WAMPAuthentication)] = [
        ("ticket", .ticket(authid: "ticketuser", ticket: "ticket-secret")),
        ("wampcra", .wampcra(authid: "crauser", secret: "cra-secret")),
        ("wampcra salted", .wampcra(authid: "saltuser", secret: "salted-secret")),
        ("cryptosign", .cryptosign(authid: "signuser", key: try! WAMPCryptosignKey(hexSeed: cryptosignTestSeed))),
    ]

    /// The Ed25519 seed (octets 0 to 31) of the cryptosign test user `signuser`: a test key,
    /// public on purpose. Its public key, ``cryptosignTestPublicKey``, is in the routers'
    /// authorized keys (the Crossbar.io config template's `authorized_keys`, ``EmbeddedRouter``).
    static let cryptosignTestSeed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let cryptosignTestPublicKey = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

    /// WAMPSession authentication: ticket, WAMP-CRA, salted WAMP-CRA and cryptosign join authrealm
    static func authentication(_ router: SessionRouterEndpoints, _ serializer: InteropSerializer) async throws {
        for (name, authentication) in authCases {
            var configuration = WAMPSession.Configuration()
            configuration.authentication = authentication
            try await withRouterSession(router.authTCP, serializer, realm: "authrealm", configuration: configuration) { session in
                let details = await session.welcomeDetails
                #expect(details["authrole"] == "authenticated", "\(name): \(details)")
                #expect(details["authmethod"]?.stringValue == name.split(separator: " ").first.map(String.init), "\(name): \(details)")
                _ = try await session.register("com.example.auth.\(serializer).\(name.replacingOccurrences(of: " ", with: "_"))") { _ in 1 }
            }
        }
    }

    /// WAMPSession authentication with a wrong ticket, a wrong secret or an unknown key: .aborted
    static func authenticationRefused(_ router: SessionRouterEndpoints) async throws {
        let wrong: [WAMPAuthentication] = [
            .ticket(authid: "ticketuser", ticket: "nope"),
            .wampcra(authid: "crauser", secret: "nope"),
            .wampcra(authid: "saltuser", secret: "nope"),
            .cryptosign(authid: "signuser", key: WAMPCryptosignKey()),
        ]
        for authentication in wrong {
            var configuration = WAMPSession.Configuration()
            configuration.authentication = authentication
            let error = await #expect(throws: WAMPSessionError.self) {
                try await withRouterSession(router.authTCP, .json, realm: "authrealm", configuration: configuration) { _ in }
            }
            #expect(error?.code == .aborted, "\(authentication)")
        }
    }
}
