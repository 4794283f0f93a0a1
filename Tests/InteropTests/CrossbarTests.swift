import NIOCore
import RawSocketTransport
import Testing
import Transport

/// A WAMP session on the Crossbar.io router, spoken with typed messages only.
final class RouterSession: Sendable {
    let connection: InteropConnection
    let session: WAMPID
    let welcome: WAMPMessage.Welcome

    private init(connection: InteropConnection, welcome: WAMPMessage.Welcome) {
        self.connection = connection
        self.session = welcome.session
        self.welcome = welcome
    }

    /// Connects and joins `realm1` with `roles`: HELLO → WELCOME.
    static func join(
        _ endpoint: RawSocketEndpoint, _ serializer: InteropSerializer, roles: [String],
        configuration: RawSocketConfiguration = interopRawSocketConfiguration
    ) async throws -> RouterSession {
        let connection = try await InteropConnection.connect(to: endpoint, serializer, configuration: configuration)
        do {
            var details: [String: WAMPValue] = [:]
            for role in roles { details[role] = .dict([:]) }
            try await connection.send(.hello(.init(realm: "realm1", details: ["roles": .dict(details)])))
            let reply = try await connection.receive("WELCOME")
            guard case .welcome(let welcome) = reply else { throw PeerFailure("expected WELCOME, got \(reply)") }
            return RouterSession(connection: connection, welcome: welcome)
        } catch {
            await connection.close()
            throw error
        }
    }

    func send(_ message: WAMPMessage, timeout: Double = InteropTimeouts.message) async throws {
        try await connection.send(message, timeout: timeout)
    }

    /// Receives one message and extracts what the test expects from it.
    func expect<T>(
        _ what: String, timeout: Double = InteropTimeouts.message, _ extract: (WAMPMessage) -> T?
    ) async throws -> T {
        let message = try await connection.receive(what, timeout: timeout)
        guard let value = extract(message) else { throw PeerFailure("expected \(what), got \(message)") }
        return value
    }

    /// REGISTER → REGISTERED; returns the registration id.
    func register(_ procedure: String, request: WAMPID = 1) async throws -> WAMPID {
        try await send(.register(.init(request: request, procedure: procedure)))
        let registered = try await expect("REGISTERED for \(procedure)") { m -> WAMPMessage.Registered? in
            if case .registered(let r) = m { return r } else { return nil }
        }
        #expect(registered.request == request)
        return registered.registration
    }

    /// SUBSCRIBE → SUBSCRIBED; returns the subscription id.
    func subscribe(_ topic: String, request: WAMPID = 1) async throws -> WAMPID {
        try await send(.subscribe(.init(request: request, topic: topic)))
        let subscribed = try await expect("SUBSCRIBED for \(topic)") { m -> WAMPMessage.Subscribed? in
            if case .subscribed(let s) = m { return s } else { return nil }
        }
        #expect(subscribed.request == request)
        return subscribed.subscription
    }

    /// Answers the next INVOCATION with a YIELD of its own args and kwargs; returns it.
    func yieldNextInvocation(timeout: Double = InteropTimeouts.message) async throws -> WAMPMessage.Invocation {
        let invocation = try await expect("INVOCATION", timeout: timeout) { m -> WAMPMessage.Invocation? in
            if case .invocation(let i) = m { return i } else { return nil }
        }
        try await send(.yield(.init(request: invocation.request, payload: invocation.payload)), timeout: timeout)
        return invocation
    }

    /// GOODBYE → GOODBYE, then closes.
    ///
    /// The spec says the reply SHOULD carry `wamp.close.goodbye_and_out`; Crossbar.io 26.10
    /// replies `wamp.close.normal` (autobahn's `Goodbye()` default), so both are accepted.
    func leave() async throws {
        try await send(.goodbye(.init(reason: WAMPURI.closeNormal)))
        let reply = try await expect("GOODBYE in reply") { m -> WAMPMessage.Goodbye? in
            if case .goodbye(let g) = m { return g } else { return nil }
        }
        #expect([WAMPURI.goodbyeAndOut, WAMPURI.closeNormal].contains(reply.reason))
        await connection.close()
    }

    func close() async { await connection.close() }
}

/// Runs `body` with sessions joined for each role list, closing them afterwards.
func withSessions<T: Sendable>(
    _ joins: [(RawSocketEndpoint, InteropSerializer, [String])], _ body: ([RouterSession]) async throws -> T
) async throws -> T {
    var sessions: [RouterSession] = []
    do {
        for (endpoint, serializer, roles) in joins {
            sessions.append(try await RouterSession.join(endpoint, serializer, roles: roles))
        }
        let result = try await body(sessions)
        for session in sessions { await session.close() }
        return result
    } catch {
        for session in sessions { await session.close() }
        throw error
    }
}

/// Which router transport a test uses.
enum RouterTransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case tcp
    case unix

    func endpoint(_ router: CrossbarRouter.Endpoints) -> RawSocketEndpoint {
        switch self {
        case .tcp: return router.tcp
        case .unix: return router.unix
        }
    }

    var testDescription: String { rawValue }
}

/// Arguments and keyword arguments with every kind of value.
let sampleArgs: [WAMPValue] = [
    1, -2, .integer(1 << 53), 2.5, "ünïcødé", true, false, nil, [1, ["x": [2]]], .binary([0, 1, 2, 254, 255]),
]
let sampleKwargs: [String: WAMPValue] = [
    "binary": .binary(testBytes(count: 300)), "list": [1, "two", 3.0], "dict": ["a": ["b": nil]], "bool": true,
]

@Suite(
    "Our client against a Crossbar.io router",
    .enabled(if: PeerEnvironment.crossbarTestsEnabled, "no crossbar in the test venv: \(PeerEnvironment.installHint)"),
    .serialized,
    .stopsCrossbarRouterAtEnd
)
struct CrossbarTests {
    static let cases: [(RouterTransport, InteropSerializer)] = RouterTransport.allCases.flatMap { transport in
        InteropSerializer.allCases.map { (transport, $0) }
    }

    @Test("HELLO → WELCOME, GOODBYE from us → GOODBYE", arguments: cases)
    func sessionOpensAndCloses(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let session = try await RouterSession.join(
            transport.endpoint(router), serializer, roles: ["caller", "callee", "publisher", "subscriber"])
        #expect(session.connection.serialization == serializer.serializer.id)
        #expect(session.connection.maxSendLength == 4 * 1024 * 1024)
        #expect(WAMPID.wampRange.contains(session.session))
        let roles = session.welcome.details["roles"]?.dictValue ?? [:]
        #expect(roles["broker"] != nil && roles["dealer"] != nil, "WELCOME details: \(session.welcome.details)")
        try await session.leave()
    }

    @Test("GOODBYE from the router (its session is killed) → GOODBYE from us", arguments: InteropSerializer.allCases)
    func routerSaysGoodbye(_ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        try await withSessions([
            (router.tcp, serializer, ["caller"]), (router.unix, serializer, ["subscriber"]),
        ]) { sessions in
            let (killer, victim) = (sessions[0], sessions[1])
            try await killer.send(.call(.init(
                request: 1, procedure: "wamp.session.kill",
                payload: .arguments([.integer(exactly: victim.session)], ["reason": "com.example.kicked", "message": "bye"]))))
            let goodbye = try await victim.expect("GOODBYE from the router") { m -> WAMPMessage.Goodbye? in
                if case .goodbye(let g) = m { return g } else { return nil }
            }
            #expect(goodbye.reason == "com.example.kicked")
            try await victim.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            // Crossbar.io 26.10 keeps the transport open after the GOODBYE exchange (its
            // RouterSession never closes it); our side closes it when the test ends.
            let result = try await killer.expect("RESULT of wamp.session.kill") { m -> WAMPMessage.Result? in
                if case .result(let r) = m { return r } else { return nil }
            }
            #expect(result.request == 1)
            try await killer.leave()
        }
    }

    @Test("REGISTER, CALL from a second connection: INVOCATION → YIELD → RESULT with args and kwargs",
          arguments: cases)
    func remoteProcedureCall(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let endpoint = transport.endpoint(router)
        let procedure = "com.example.echo.\(transport).\(serializer)"
        try await withSessions([(endpoint, serializer, ["callee"]), (endpoint, serializer, ["caller"])]) { sessions in
            let (callee, caller) = (sessions[0], sessions[1])
            let registration = try await callee.register(procedure)

            try await caller.send(.call(.init(request: 7, procedure: procedure, payload: .arguments(sampleArgs, sampleKwargs))))
            let invocation = try await callee.yieldNextInvocation()
            #expect(invocation.registration == registration)
            #expect(invocation.args == sampleArgs)
            #expect(invocation.kwargs == sampleKwargs)

            let result = try await caller.expect("RESULT") { m -> WAMPMessage.Result? in
                if case .result(let r) = m { return r } else { return nil }
            }
            #expect(result.request == 7)
            #expect(result.args == sampleArgs)
            #expect(result.kwargs == sampleKwargs)
            try await caller.leave()
            try await callee.leave()
        }
    }

    @Test("SUBSCRIBE, PUBLISH with acknowledge from a second connection: PUBLISHED and EVENT", arguments: cases)
    func publishSubscribe(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let endpoint = transport.endpoint(router)
        let topic = "com.example.topic.\(transport).\(serializer)"
        try await withSessions([(endpoint, serializer, ["subscriber"]), (endpoint, serializer, ["publisher"])]) { sessions in
            let (subscriber, publisher) = (sessions[0], sessions[1])
            let subscription = try await subscriber.subscribe(topic)

            try await publisher.send(.publish(.init(
                request: 3, options: ["acknowledge": true], topic: topic, payload: .arguments(sampleArgs, sampleKwargs))))
            let published = try await publisher.expect("PUBLISHED") { m -> WAMPMessage.Published? in
                if case .published(let p) = m { return p } else { return nil }
            }
            #expect(published.request == 3)

            let event = try await subscriber.expect("EVENT") { m -> WAMPMessage.Event? in
                if case .event(let e) = m { return e } else { return nil }
            }
            #expect(event.subscription == subscription)
            #expect(event.publication == published.publication)
            #expect(event.args == sampleArgs)
            #expect(event.kwargs == sampleKwargs)
            try await publisher.leave()
            try await subscriber.leave()
        }
    }

    @Test("a 1 MiB binary argument through CALL → INVOCATION → YIELD → RESULT", arguments: cases)
    func largeArgument(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let endpoint = transport.endpoint(router)
        let procedure = "com.example.large.\(transport).\(serializer)"
        // Binary: MessagePack bin, JSON "\u0000"+base64 (4/3 the size, within the 4 MiB limit).
        let argument = WAMPValue.binary(testBytes(count: 1 << 20, seed: 42))
        try await withSessions([(endpoint, serializer, ["callee"]), (endpoint, serializer, ["caller"])]) { sessions in
            let (callee, caller) = (sessions[0], sessions[1])
            _ = try await callee.register(procedure)
            try await caller.send(
                .call(.init(request: 9, procedure: procedure, payload: .arguments([argument], ["size": 1_048_576]))),
                timeout: InteropTimeouts.bulk)
            let invocation = try await callee.yieldNextInvocation(timeout: InteropTimeouts.bulk)
            #expect(invocation.args.first == argument)
            let result = try await caller.expect("RESULT with 1 MiB", timeout: InteropTimeouts.bulk) { m -> WAMPMessage.Result? in
                if case .result(let r) = m { return r } else { return nil }
            }
            #expect(result.request == 9)
            #expect(result.args.count == 1)
            #expect(result.args.first == argument)
            #expect(result.kwargs == ["size": 1_048_576])
        }
    }

    @Test("a CALL to an unknown procedure gets ERROR wamp.error.no_such_procedure", arguments: cases)
    func unknownProcedure(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let caller = try await RouterSession.join(transport.endpoint(router), serializer, roles: ["caller"])
        do {
            try await caller.send(.call(.init(request: 5, procedure: "com.example.nobody.home", payload: .arguments([1], [:]))))
            let error = try await caller.expect("ERROR") { m -> WAMPMessage.Error? in
                if case .error(let e) = m { return e } else { return nil }
            }
            #expect(error.requestType == .call)
            #expect(error.request == 5)
            #expect(error.error == WAMPURI.noSuchProcedure)
            try await caller.leave()
        } catch {
            await caller.close()
            throw error
        }
    }

    @Test("callee and caller with different serializers and transports: the router translates, binary included",
          arguments: [(InteropSerializer.json, InteropSerializer.msgpack), (.msgpack, .cbor)])
    func mixedSerializers(callee calleeSerializer: InteropSerializer, caller callerSerializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let procedure = "com.example.mixed.\(calleeSerializer).\(callerSerializer)"
        try await withSessions([
            (router.unix, calleeSerializer, ["callee"]), (router.tcp, callerSerializer, ["caller"]),
        ]) { sessions in
            let (callee, caller) = (sessions[0], sessions[1])
            _ = try await callee.register(procedure)
            try await caller.send(.call(.init(request: 2, procedure: procedure, payload: .arguments(sampleArgs, sampleKwargs))))
            let invocation = try await callee.yieldNextInvocation()
            #expect(invocation.args == sampleArgs)
            #expect(invocation.kwargs == sampleKwargs)
            let result = try await caller.expect("RESULT") { m -> WAMPMessage.Result? in
                if case .result(let r) = m { return r } else { return nil }
            }
            #expect(result.args == sampleArgs)
            #expect(result.kwargs == sampleKwargs)
        }
    }

    @Test("a router transport with max_message_size 65536: maxSendLength 65536, a larger CALL throws .messageTooLarge, the next CALL works",
          arguments: InteropSerializer.allCases)
    func routerLengthLimit(_ serializer: InteropSerializer) async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        let procedure = "com.example.limit.\(serializer)"
        try await withSessions([
            (router.tcp, serializer, ["callee"]), (router.smallLimitTCP, serializer, ["caller"]),
        ]) { sessions in
            let (callee, caller) = (sessions[0], sessions[1])
            #expect(caller.connection.maxSendLength == 65536)
            _ = try await callee.register(procedure)

            let over = try call(request: 1, procedure: procedure, serializedLength: 65537, serializer)
            let error = await #expect(throws: RawSocketError.self) { try await caller.send(over) }
            #expect(error?.code == .messageTooLarge)

            let args: [WAMPValue] = [.binary(testBytes(count: 30000)), "after"]
            try await caller.send(.call(.init(request: 2, procedure: procedure, payload: .arguments(args, [:]))))
            let invocation = try await callee.yieldNextInvocation()
            #expect(invocation.args == args)
            let result = try await caller.expect("RESULT after the refused CALL") { m -> WAMPMessage.Result? in
                if case .result(let r) = m { return r } else { return nil }
            }
            #expect(result.request == 2)
            #expect(result.args == args)
            try await caller.leave()
            try await callee.leave()
        }
    }

    @Test("asking the router for a serializer the transport does not offer (UBJSON): connect fails, it does not hang")
    func serializerNotOffered() async throws {
        let router = try await CrossbarRouter.shared.endpoints()
        for endpoint in [router.tcp, router.unix] {
            // Crossbar.io answers with a connection reset and no error reply. Over TCP our client
            // then throws the socket's error (ECONNRESET), over the Unix socket
            // RawSocketError .unexpectedEndOfStream: either way it must fail, not hang.
            let error = await #expect(throws: (any Error).self) {
                let connection = try await withTimeout(InteropTimeouts.message, "connecting with UBJSON to \(endpoint)") {
                    try await RawSocketClient.connect(to: endpoint, serializers: [UnofferedSerializer()])
                }
                try? await connection.close()
            }
            #expect(!(error is InteropTimeoutError), "\(String(describing: error))")
        }
    }
}

/// A serializer that announces UBJSON, which the router's transports do not offer; it is never
/// asked to serialize anything.
struct UnofferedSerializer: WAMPSerializer {
    struct Unused: Error {}
    var id: WAMPSerializerID { .ubjson }
    var isBinary: Bool { true }
    func serialize(_ message: WAMPMessage, into buffer: inout ByteBuffer) throws { throw Unused() }
    func deserialize(_ buffer: ByteBuffer) throws -> WAMPMessage { throw Unused() }
}
