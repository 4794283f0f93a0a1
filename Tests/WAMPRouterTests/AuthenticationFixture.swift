import Transport
@testable import WAMPRouter
import WAMPSession

/// A routing state with the secure test realm, driven directly: HELLO with a client's
/// authentication, the CHALLENGE answered by the library's own client code.
struct AuthenticationFixture {
    /// The Ed25519 seed (octets 0 to 31) of `alice`; its public key is `alicePublicKey`.
    static let aliceSeed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let alicePublicKey = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

    /// `com.example.secure`: no anonymous sessions; `joe` (ticket, frontend), `peter`
    /// (WAMP-CRA, backend), `sam` (salted WAMP-CRA, backend), `alice` (cryptosign, backend).
    /// The frontend may call `com.example.api.` (prefix), subscribe to `com.example..changed`
    /// (wildcard) and publish to `com.example.chat` (exact); the backend may do anything below
    /// `com.example.`.
    static var secureRealm: WAMPRouter.Realm {
        var realm = WAMPRouter.Realm("com.example.secure")
        realm.allowsAnonymous = false
        realm.users = [
            WAMPUser(authid: "joe", authrole: "frontend", ticket: "secret!!!"),
            WAMPUser(authid: "peter", authrole: "backend", wampcra: .init(secret: "secret2")),
            WAMPUser(authid: "sam", authrole: "backend", wampcra: .init(secret: "secret3", salt: "salt123", iterations: 100, keyLength: 16)),
            WAMPUser(authid: "alice", authrole: "backend", cryptosignKeys: [alicePublicKey]),
        ]
        realm.roles = [
            WAMPRole("backend", permissions: [
                WAMPPermission(uri: "com.example.", match: .prefix, allow: [.call, .register, .publish, .subscribe]),
            ]),
            WAMPRole("frontend", permissions: [
                WAMPPermission(uri: "com.example.api.", match: .prefix, allow: [.call]),
                WAMPPermission(uri: "com.example..changed", match: .wildcard, allow: [.subscribe]),
                WAMPPermission(uri: "com.example.chat", allow: [.publish]),
            ]),
        ]
        return realm
    }

    var core: RouterCore
    let start = ContinuousClock.now

    init(configuration: WAMPRouter.Configuration = .init(realms: ["realm1", Self.secureRealm])) {
        core = RouterCore(configuration: configuration)
    }

    /// A new connection and the router's answer to its HELLO.
    mutating func hello(
        _ authentication: WAMPAuthentication, realm: String = "com.example.secure", lookup: UserLookup? = nil
    ) -> (ConnectionID, [RouterAction]) {
        let connection = core.connect(now: start)!
        var details = authentication.helloDetails
        details["roles"] = ["caller": [:], "callee": [:], "publisher": [:], "subscriber": [:]]
        return (connection, core.receive(.hello(.init(realm: realm, details: details)), from: connection, now: start, lookup: lookup))
    }

    /// HELLO, and the CHALLENGE answered by `authentication` (with `tamper` applied to the
    /// signature); the router's answer to AUTHENTICATE, with the CHALLENGE it sent.
    mutating func login(
        _ authentication: WAMPAuthentication, tamper: (String) -> String = { $0 }
    ) throws -> (connection: ConnectionID, challenge: WAMPMessage.Challenge?, answer: [RouterAction]) {
        let (connection, actions) = hello(authentication)
        guard case .send(.challenge(let challenge), to: connection)? = actions.first, actions.count == 1 else {
            return (connection, nil, actions)
        }
        var authenticate = try authentication.authenticate(challenge)
        authenticate.signature = tamper(authenticate.signature)
        return (connection, challenge, core.receive(.authenticate(authenticate), from: connection, now: start))
    }

    /// The WELCOME in `actions`.
    static func welcome(_ actions: [RouterAction]) -> WAMPMessage.Welcome? {
        for case .send(.welcome(let welcome), _) in actions { return welcome }
        return nil
    }

    /// The reason of the ABORT in `actions`, when the connection is then closed.
    static func abortReason(_ actions: [RouterAction], _ connection: ConnectionID) -> String? {
        guard actions.contains(.close(connection)) else { return nil }
        for case .send(.abort(let abort), to: connection) in actions { return abort.reason }
        return nil
    }

    /// A joined session of `authentication` on its connection.
    mutating func joined(_ authentication: WAMPAuthentication) throws -> ConnectionID {
        let (connection, _, answer) = try login(authentication)
        guard Self.welcome(answer) != nil else { throw UnexpectedActions(actions: answer) }
        return connection
    }

    struct UnexpectedActions: Error {
        let actions: [RouterAction]
    }
}
