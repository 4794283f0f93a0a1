import Testing
import TimeGuards
import Transport
import WAMPSession

/// The session layer against the embedded ``WAMPRouter`` in this process, behind real RawSocket
/// servers on loopback (``EmbeddedRouter``): the same ``SessionRouterChecks`` as against
/// Crossbar.io. Needs no Python; each test runs its own router.
@Suite("Our client against the embedded router", .scaledTimeLimit(minutes: 2))
struct SessionEmbeddedRouterTests {
    @Test("WAMPSession: join, typed call to a registered handler on a second session, leave", arguments: SessionRouterChecks.cases)
    func sessionCallAndRegister(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.callAndRegister(router, transport, serializer) }
    }

    @Test("WAMPSession: subscribe, publish with acknowledge from a second session, the event arrives", arguments: SessionRouterChecks.cases)
    func sessionPublishSubscribe(_ transport: RouterTransport, _ serializer: InteropSerializer) async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.publishSubscribe(router, transport, serializer) }
    }

    @Test("WAMPSession: a call to an unknown procedure throws WAMPError wamp.error.no_such_procedure")
    func sessionCallError() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.callError(router) }
    }

    @Test("WAMPSession: a handler's WAMPError reaches the caller with its URI, args and kwargs")
    func sessionHandlerError() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.handlerError(router) }
    }

    @Test("WAMPSession: a call larger than the router's limit throws the transport's .messageTooLarge, the session stays usable; a result too large becomes ERROR wamp.error.runtime_error")
    func sessionCallTooLarge() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.callTooLarge(router) }
    }

    @Test("WAMPSession: joining a realm that does not exist throws .aborted with the router's reason")
    func sessionAbort() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.abort(router) }
    }

    @Test("WAMPSession: a router that never answers HELLO (client RawSocket limit 512) gives .joinTimedOut")
    func sessionJoinTimeout() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.joinTimeout(router) }
    }

    @Test("WAMPSession: cancelling a call's task sends CANCEL; the router interrupts the callee's handler")
    func sessionCancel() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.cancel(router) }
    }

    @Test("WAMPSession: the router killing the session (GOODBYE) ends it; subscriptions finish with the reason")
    func sessionKilledByRouter() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.killedByRouter(router) }
    }

    @Test("WAMPSession authentication: ticket, WAMP-CRA, salted WAMP-CRA and cryptosign join authrealm",
          arguments: InteropSerializer.allCases)
    func sessionAuthentication(_ serializer: InteropSerializer) async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.authentication(router, serializer) }
    }

    @Test("WAMPSession authentication with a wrong ticket, a wrong secret or an unknown key: .aborted")
    func sessionAuthenticationRefused() async throws {
        try await EmbeddedRouter.run { router in try await SessionRouterChecks.authenticationRefused(router) }
    }
}
