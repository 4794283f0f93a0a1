import Foundation
import RawSocketTransport
import Testing
import Transport
import WAMPSession

/// The session layer against Crossbar.io: the shared ``SessionRouterChecks`` and a router
/// restart, which only an external router can do. These tests extend the serialized Crossbar suite so that they share its router.
extension CrossbarTests {
    /// The shared Crossbar.io router, started on first use, as the session checks reach it.
    static func sessionRouter() async throws -> SessionRouterEndpoints {
        SessionRouterEndpoints(try await CrossbarRouter.shared.endpoints())
    }

    @Test("WAMPSession: join, typed call to a registered handler on a second session, leave", arguments: SessionRouterChecks.cases)
    func sessionCallAndRegister(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        try await SessionRouterChecks.callAndRegister(try await Self.sessionRouter(), transport, serializer)
    }

    @Test("WAMPSession: subscribe, publish with acknowledge from a second session, the event arrives", arguments: SessionRouterChecks.cases)
    func sessionPublishSubscribe(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        try await SessionRouterChecks.publishSubscribe(try await Self.sessionRouter(), transport, serializer)
    }

    @Test("WAMPSession: a call to an unknown procedure throws WAMPError wamp.error.no_such_procedure")
    func sessionCallError() async throws {
        try await SessionRouterChecks.callError(try await Self.sessionRouter())
    }

    @Test("WAMPSession: a handler's WAMPError reaches the caller with its URI, args and kwargs")
    func sessionHandlerError() async throws {
        try await SessionRouterChecks.handlerError(try await Self.sessionRouter())
    }

    @Test("WAMPSession: a call larger than the router's limit throws the transport's .messageTooLarge, the session stays usable; a result too large becomes ERROR wamp.error.runtime_error")
    func sessionCallTooLarge() async throws {
        try await SessionRouterChecks.callTooLarge(try await Self.sessionRouter())
    }

    @Test("WAMPSession: joining a realm that does not exist throws .aborted with the router's reason")
    func sessionAbort() async throws {
        try await SessionRouterChecks.abort(try await Self.sessionRouter())
    }

    @Test("WAMPSession: a router that never answers HELLO (client RawSocket limit 512) gives .joinTimedOut")
    func sessionJoinTimeout() async throws {
        try await SessionRouterChecks.joinTimeout(try await Self.sessionRouter())
    }

    @Test("WAMPSession: cancelling a call's task sends CANCEL; the router interrupts the callee's handler")
    func sessionCancel() async throws {
        try await SessionRouterChecks.cancel(try await Self.sessionRouter())
    }

    @Test("WAMPSession: the router killing the session (GOODBYE) ends it; subscriptions finish with the reason")
    func sessionKilledByRouter() async throws {
        try await SessionRouterChecks.killedByRouter(try await Self.sessionRouter())
    }

    @Test("WAMPSession authentication: ticket, WAMP-CRA, salted WAMP-CRA and cryptosign join authrealm",
          arguments: InteropSerializer.allCases)
    func sessionAuthentication(_ serializer: InteropSerializer) async throws {
        try await SessionRouterChecks.authentication(try await Self.sessionRouter(), serializer)
    }

    @Test("WAMPSession authentication with a wrong ticket, a wrong secret or an unknown key: .aborted")
    func sessionAuthenticationRefused() async throws {
        try await SessionRouterChecks.authenticationRefused(try await Self.sessionRouter())
    }
}

/// Reconnection through a real router restart.
extension CrossbarTests {
    @Test("WAMPSession reconnect: the Crossbar.io node stops and a new one starts; the session re-joins and restores its subscription and registration")
    func sessionReconnectsAfterRouterRestart() async throws {
        _ = try await CrossbarRouter.shared.endpoints()
        var configuration = WAMPSession.Configuration()
        configuration.reconnect = WAMPReconnectPolicy(initialDelay: .milliseconds(200), maxDelay: .seconds(2))
        // The connector looks the router up each time: after the restart it listens on new ports.
        try await WAMPSession.withSession(realm: "realm1", configuration: configuration) {
            let endpoint = try await CrossbarRouter.shared.endpoints().tcp
            return try await RawSocketClient.connect(to: endpoint, serializers: [InteropSerializer.msgpack.serializer])
        } _: { session in
            let lifecycle = session.lifecycle
            let firstID = await session.sessionID
            let events = try await session.subscribe("com.example.session.reconnect")
            try await session.register("com.example.session.reconnect.proc") { invocation in
                WAMPResult(args: invocation.args)
            }

            await CrossbarRouter.shared.stop()
            try await withTimeout(InteropTimeouts.crossbarStart + 30, "the session to re-join and restore") {
                for await step in lifecycle {
                    if case .restored(let subscriptions, let registrations) = step {
                        #expect(subscriptions == 1)
                        #expect(registrations == 1)
                        return
                    }
                }
                throw PeerFailure("the life cycle ended before the restore")
            }
            #expect(await session.sessionID != nil)
            #expect(await session.sessionID != firstID)

            let router = try await CrossbarRouter.shared.endpoints()
            try await withRouterSession(router.unix, .json) { other in
                try await withTimeout(InteropTimeouts.message, "PUBLISHED") {
                    _ = try await other.publish("com.example.session.reconnect", args: ["after restart"], acknowledge: true)
                }
                let event = try await withTimeout(InteropTimeouts.message, "the EVENT on the restored subscription") { () -> WAMPEvent? in
                    for try await event in events { return event }
                    return nil
                }
                #expect(event?.args == ["after restart"])
                let echoed: String = try await withTimeout(InteropTimeouts.message, "a call to the restored registration") {
                    try await other.call("com.example.session.reconnect.proc", "ping")
                }
                #expect(echoed == "ping")
            }
        }
    }
}
