import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPSession

/// The library's own client logging in to the embedded router over in-memory connections with
/// each method; refusals it sees; a program's own authenticator and authorizer.
@Suite("WAMPSession logins to the embedded router", .scaledTimeLimit(minutes: 1))
struct AuthenticatedSessionTests {
    static let configuration = WAMPRouter.Configuration(realms: ["realm1", AuthenticationFixture.secureRealm])

    static func sessionConfiguration(_ authentication: WAMPAuthentication) -> WAMPSession.Configuration {
        var configuration = WAMPSession.Configuration()
        configuration.authentication = authentication
        return configuration
    }

    @Test("ticket, WAMP-CRA, salted WAMP-CRA and cryptosign sessions join with their authid and authrole",
          arguments: [
              ("joe", "frontend", WAMPAuthentication.ticket(authid: "joe", ticket: "secret!!!")),
              ("peter", "backend", .wampcra(authid: "peter", secret: "secret2")),
              ("sam", "backend", .wampcra(authid: "sam", secret: "secret3")),
              ("alice", "backend", .cryptosign(authid: "alice", key: try! WAMPCryptosignKey(hexSeed: AuthenticationFixture.aliceSeed))),
          ])
    func sessionLogsIn(authid: String, authrole: String, authentication: WAMPAuthentication) async throws {
        try await RouterHarness.run(Self.configuration) { harness in
            try await WAMPSession.withSession(
                joining: harness.connectTransport(), realm: "com.example.secure",
                configuration: Self.sessionConfiguration(authentication)
            ) { session in
                #expect(await session.welcomeDetails["authid"] == .string(authid))
                #expect(await session.welcomeDetails["authrole"] == .string(authrole))
            }
        }
    }

    @Test("wrong credentials end the join with .aborted, reason wamp.error.authentication_failed",
          arguments: [
              WAMPAuthentication.ticket(authid: "joe", ticket: "nope"),
              .wampcra(authid: "peter", secret: "nope"),
              .wampcra(authid: "sam", secret: "nope"),
              .cryptosign(authid: "alice", key: WAMPCryptosignKey()),
          ])
    func wrongCredentialsAreAborted(authentication: WAMPAuthentication) async throws {
        try await RouterHarness.run(Self.configuration) { harness in
            do {
                try await WAMPSession.withSession(
                    joining: harness.connectTransport(), realm: "com.example.secure",
                    configuration: Self.sessionConfiguration(authentication)
                ) { _ in _ = Issue.record("joined with wrong credentials") }
            } catch let error as WAMPSessionError {
                #expect(error.code == .aborted, "\(error)")
                #expect(error.reason == WAMPURI.authenticationFailed, "\(error)")
            }
        }
    }

    @Test("a call the session's role does not allow fails with wamp.error.not_authorized; an allowed one goes through")
    func roleRefusalReachesTheCaller() async throws {
        try await RouterHarness.run(Self.configuration) { harness in
            try await WAMPSession.withSession(
                joining: harness.connectTransport(), realm: "com.example.secure",
                configuration: Self.sessionConfiguration(.wampcra(authid: "peter", secret: "secret2"))
            ) { backend in
                try await backend.register("com.example.api.add") { invocation in
                    try invocation.decode([Int].self).reduce(0, +)
                }
                try await WAMPSession.withSession(
                    joining: harness.connectTransport(), realm: "com.example.secure",
                    configuration: Self.sessionConfiguration(.ticket(authid: "joe", ticket: "secret!!!"))
                ) { frontend in
                    let sum: Int = try await frontend.call("com.example.api.add", 2, 3)
                    #expect(sum == 5)
                    do {
                        try await frontend.register("com.example.api.sub") { _ in 0 }
                        Issue.record("the frontend registered")
                    } catch let error as WAMPError {
                        #expect(error.uri == WAMPURI.notAuthorized)
                    }
                }
            }
        }
    }

    /// Users from "elsewhere": any authid whose ticket is its name reversed, role `reader`.
    struct ReversedNames: WAMPAuthenticator {
        var authMethods: Set<WAMPAuthMethod> { [.ticket] }
        func user(for request: WAMPAuthenticationRequest) async throws -> WAMPUser? {
            guard let authid = request.authid, authid != "nobody" else { return nil }
            return WAMPUser(authid: authid, authrole: "reader", ticket: String(authid.reversed()))
        }
    }

    @Test("a program's authenticator admits the users it returns (provider dynamic) and refuses the others")
    func customAuthenticator() async throws {
        var configuration = Self.configuration
        configuration.authenticator = ReversedNames()
        try await RouterHarness.run(configuration) { harness in
            try await WAMPSession.withSession(
                joining: harness.connectTransport(), realm: "realm1",
                configuration: Self.sessionConfiguration(.ticket(authid: "zoe", ticket: "eoz"))
            ) { session in
                #expect(await session.welcomeDetails["authid"] == "zoe")
                #expect(await session.welcomeDetails["authrole"] == "reader")
                #expect(await session.welcomeDetails["authprovider"] == "dynamic")
            }
            for (authid, ticket) in [("zoe", "zoe"), ("nobody", "ydobon")] {
                do {
                    try await WAMPSession.withSession(
                        joining: harness.connectTransport(), realm: "realm1",
                        configuration: Self.sessionConfiguration(.ticket(authid: authid, ticket: ticket))
                    ) { _ in _ = Issue.record("\(authid) joined") }
                } catch let error as WAMPSessionError {
                    #expect(error.reason == WAMPURI.authenticationFailed, "\(error)")
                }
            }
        }
    }
}
