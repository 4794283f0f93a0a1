import Foundation
import Testing
import Transport
@testable import WAMPRouter
import WAMPSession

/// Logins as pure routing state: HELLO, CHALLENGE, AUTHENTICATE, WELCOME or ABORT, for each
/// method, answered by the library's own client code.
@Suite("Authentication in the routing state")
struct AuthenticationTests {
    static let alice = try! WAMPCryptosignKey(hexSeed: AuthenticationFixture.aliceSeed)

    @Test("a ticket login is challenged and welcomed with the user's authid, authrole, authmethod and authprovider")
    func ticketLogin() throws {
        var f = AuthenticationFixture()
        let (_, challenge, answer) = try f.login(.ticket(authid: "joe", ticket: "secret!!!"))
        #expect(challenge?.authMethod == "ticket")
        let welcome = try #require(AuthenticationFixture.welcome(answer), "\(answer)")
        #expect(welcome.details["authid"] == "joe")
        #expect(welcome.details["authrole"] == "frontend")
        #expect(welcome.details["authmethod"] == "ticket")
        #expect(welcome.details["authprovider"] == "static")
        #expect(welcome.details["realm"] == "com.example.secure")
    }

    @Test("a wrong ticket is aborted with wamp.error.authentication_failed and the connection closed")
    func wrongTicket() throws {
        var f = AuthenticationFixture()
        let (connection, _, answer) = try f.login(.ticket(authid: "joe", ticket: "secret!!?"))
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.authenticationFailed, "\(answer)")
        #expect(f.core.session(on: connection) == nil)
    }

    @Test("an unknown authid is aborted with wamp.error.authentication_failed at HELLO")
    func unknownUser() throws {
        var f = AuthenticationFixture()
        let (connection, answer) = f.hello(.ticket(authid: "nobody", ticket: "secret!!!"))
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.authenticationFailed, "\(answer)")
    }

    @Test("a WAMP-CRA login: the challenge is JSON naming the user, method, provider and the session ID WELCOME gives")
    func wampcraLogin() throws {
        var f = AuthenticationFixture()
        let (_, challenge, answer) = try f.login(.wampcra(authid: "peter", secret: "secret2"))
        let text = try #require(challenge?.extra["challenge"]?.stringValue)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["authid"] as? String == "peter")
        #expect(json["authrole"] as? String == "backend")
        #expect(json["authmethod"] as? String == "wampcra")
        #expect(json["authprovider"] as? String == "static")
        #expect((json["nonce"] as? String)?.isEmpty == false)
        #expect((json["timestamp"] as? String)?.isEmpty == false)
        #expect(challenge?.extra["salt"] == nil)
        let welcome = try #require(AuthenticationFixture.welcome(answer), "\(answer)")
        #expect((json["session"] as? NSNumber)?.uint64Value == welcome.session)
        #expect(welcome.details["authmethod"] == "wampcra")
        #expect(welcome.details["authrole"] == "backend")
    }

    @Test("two WAMP-CRA challenges differ (a fresh nonce each time)")
    func wampcraNonceIsFresh() throws {
        var f = AuthenticationFixture()
        let (_, first, _) = try f.login(.wampcra(authid: "peter", secret: "secret2"))
        let (_, second, _) = try f.login(.wampcra(authid: "peter", secret: "secret2"))
        #expect(first?.extra["challenge"] != second?.extra["challenge"])
    }

    @Test("a wrong WAMP-CRA secret is aborted with wamp.error.authentication_failed")
    func wrongWAMPCRASecret() throws {
        var f = AuthenticationFixture()
        let (connection, _, answer) = try f.login(.wampcra(authid: "peter", secret: "secret3"))
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.authenticationFailed, "\(answer)")
    }

    @Test("a salted WAMP-CRA login: the challenge gives salt, iterations and keylen; the derived key signs")
    func saltedWAMPCRALogin() throws {
        var f = AuthenticationFixture()
        let (_, challenge, answer) = try f.login(.wampcra(authid: "sam", secret: "secret3"))
        #expect(challenge?.extra["salt"] == "salt123")
        #expect(challenge?.extra["iterations"] == 100)
        #expect(challenge?.extra["keylen"] == 16)
        #expect(AuthenticationFixture.welcome(answer)?.details["authid"] == "sam", "\(answer)")

        // The secret itself, not the derived key, does not sign.
        let (connection, _, refused) = try f.login(.wampcra(authid: "sam", secret: "secret3")) { _ in
            WAMPCRA.sign(challenge: challenge?.extra["challenge"]?.stringValue ?? "", key: Array("secret3".utf8))
        }
        #expect(AuthenticationFixture.abortReason(refused, connection) == WAMPURI.authenticationFailed, "\(refused)")
    }

    @Test("a cryptosign login: 32 random octets in hex, the key found by authextra.pubkey, with or without authid")
    func cryptosignLogin() throws {
        var f = AuthenticationFixture()
        for authid in ["alice", nil] {
            let (_, challenge, answer) = try f.login(.cryptosign(authid: authid, key: Self.alice))
            #expect(challenge?.authMethod == "cryptosign")
            #expect(challenge?.extra["challenge"]?.stringValue?.utf8.count == 64)
            let welcome = try #require(AuthenticationFixture.welcome(answer), "\(answer)")
            #expect(welcome.details["authid"] == "alice")
            #expect(welcome.details["authmethod"] == "cryptosign")
        }
    }

    @Test("a cryptosign signature that is altered, or of another challenge, is aborted with authentication_failed")
    func cryptosignBadSignature() throws {
        var f = AuthenticationFixture()
        let flipFirst: (String) -> String = { ($0.first == "0" ? "1" : "0") + $0.dropFirst() }
        let (connection, _, answer) = try f.login(.cryptosign(authid: "alice", key: Self.alice), tamper: flipFirst)
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.authenticationFailed, "\(answer)")

        let other = String(repeating: "ab", count: 32)
        let (second, _, replayed) = try f.login(.cryptosign(authid: "alice", key: Self.alice)) { _ in
            (try? Self.alice.sign(challengeHex: other)) ?? ""
        }
        #expect(AuthenticationFixture.abortReason(replayed, second) == WAMPURI.authenticationFailed, "\(replayed)")
    }

    @Test("a cryptosign key no user has, or another user's authid with alice's key, is aborted at HELLO")
    func cryptosignUnknownKey() throws {
        var f = AuthenticationFixture()
        let (connection, answer) = f.hello(.cryptosign(authid: nil, key: WAMPCryptosignKey()))
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.authenticationFailed, "\(answer)")
        let (second, mismatched) = f.hello(.cryptosign(authid: "peter", key: Self.alice))
        #expect(AuthenticationFixture.abortReason(mismatched, second) == WAMPURI.authenticationFailed, "\(mismatched)")
    }

    @Test("a HELLO with none of the realm's methods is aborted with wamp.error.no_auth_method")
    func noAcceptableMethod() throws {
        var f = AuthenticationFixture()
        let (connection, answer) = f.hello(.anonymous())
        #expect(AuthenticationFixture.abortReason(answer, connection) == WAMPURI.noAuthMethod, "\(answer)")
        // realm1 has no users: only anonymous.
        let (second, refused) = f.hello(.ticket(authid: "joe", ticket: "secret!!!"), realm: "realm1")
        #expect(AuthenticationFixture.abortReason(refused, second) == WAMPURI.noAuthMethod, "\(refused)")
    }

    @Test("the client's first offered method is chosen: [cryptosign, ticket] with only a ticket user is a ticket login")
    func methodChoiceFollowsClientOrder() throws {
        var f = AuthenticationFixture()
        let connection = f.core.connect(now: f.start)!
        let hello = WAMPMessage.hello(.init(realm: "realm1", details: [
            "roles": ["caller": [:]], "authmethods": ["wampcra", "anonymous", "ticket"], "authid": "x",
        ]))
        let actions = f.core.receive(hello, from: connection, now: f.start)
        #expect(AuthenticationFixture.welcome(actions)?.details["authmethod"] == "anonymous", "\(actions)")
    }

    @Test("AUTHENTICATE before HELLO, after WELCOME, or another message while a CHALLENGE is pending: protocol violation")
    func authenticateOutOfOrder() throws {
        var f = AuthenticationFixture()
        let early = f.core.connect(now: f.start)!
        let before = f.core.receive(.authenticate(.init(signature: "x")), from: early, now: f.start)
        #expect(AuthenticationFixture.abortReason(before, early) == WAMPURI.protocolViolation, "\(before)")

        let joined = try f.joined(.ticket(authid: "joe", ticket: "secret!!!"))
        let after = f.core.receive(.authenticate(.init(signature: "x")), from: joined, now: f.start)
        #expect(AuthenticationFixture.abortReason(after, joined) == WAMPURI.protocolViolation, "\(after)")

        let (pending, _) = f.hello(.ticket(authid: "joe", ticket: "secret!!!"))
        let call = f.core.receive(.call(.init(request: 1, procedure: "com.example.api.x")), from: pending, now: f.start)
        #expect(AuthenticationFixture.abortReason(call, pending) == WAMPURI.protocolViolation, "\(call)")
    }

    @Test("a connection that does not answer the CHALLENGE is closed at the hello timeout")
    func challengeTimesOut() throws {
        var f = AuthenticationFixture()
        let (connection, _) = f.hello(.ticket(authid: "joe", ticket: "secret!!!"))
        let armed = f.core.armTimer(connection)
        let deadline = try #require(armed)
        let early = f.core.expire(connection, now: deadline - .milliseconds(1))
        #expect(early.isEmpty)
        let late = f.core.expire(connection, now: deadline)
        #expect(late == [.close(connection)])
    }

    @Test("anonymous sessions keep their session-ID authid and the realm's anonymous role")
    func anonymousStillWelcome() throws {
        var f = AuthenticationFixture()
        let (_, answer) = f.hello(.anonymous(), realm: "realm1")
        let welcome = try #require(AuthenticationFixture.welcome(answer))
        #expect(welcome.details["authid"] == .string(String(welcome.session)))
        #expect(welcome.details["authmethod"] == "anonymous")
        #expect(welcome.details["authprovider"] == "static")
    }

    // MARK: - The authenticator

    struct Directory: WAMPAuthenticator {
        var authMethods: Set<WAMPAuthMethod> { [.ticket, .anonymous] }
        func user(for request: WAMPAuthenticationRequest) async throws -> WAMPUser? {
            nil
        }
    }

    @Test("with an authenticator, the routing state asks the I/O layer for the user, then uses it: provider dynamic")
    func authenticatorLookup() throws {
        var configuration = WAMPRouter.Configuration(realms: ["realm1", AuthenticationFixture.secureRealm])
        configuration.authenticator = Directory()
        var f = AuthenticationFixture(configuration: configuration)
        let connection = f.core.connect(now: f.start)!
        var details = WAMPAuthentication.ticket(authid: "zoe", ticket: "t0").helloDetails
        details["roles"] = ["caller": [:]]
        let hello = WAMPMessage.hello(.init(realm: "realm1", details: details))
        let request = try #require(f.core.authenticationRequest(for: hello, on: connection))
        #expect(request == WAMPAuthenticationRequest(realm: "realm1", authMethod: .ticket, authid: "zoe"))
        // Not asked for cryptosign, which the authenticator does not serve.
        let other = f.core.connect(now: f.start)!
        #expect(f.core.authenticationRequest(
            for: .hello(.init(realm: "com.example.secure", details: ["authmethods": ["cryptosign"]])), on: other) == nil)

        let zoe = WAMPUser(authid: "zoe", authrole: "reader", ticket: "t0")
        let challenged = f.core.receive(hello, from: connection, now: f.start, lookup: .found(zoe))
        #expect(challenged.count == 1, "\(challenged)")
        let answer = f.core.receive(.authenticate(.init(signature: "t0")), from: connection, now: f.start)
        let welcome = try #require(AuthenticationFixture.welcome(answer), "\(answer)")
        #expect(welcome.details["authprovider"] == "dynamic")
        #expect(welcome.details["authrole"] == "reader")

        for lookup in [UserLookup.found(nil), .failed("the directory is down")] {
            let (refused, actions) = f.hello(.ticket(authid: "zoe", ticket: "t0"), realm: "realm1", lookup: lookup)
            #expect(AuthenticationFixture.abortReason(actions, refused) == WAMPURI.authenticationFailed, "\(actions)")
        }
    }
}
