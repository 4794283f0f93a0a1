import Foundation
import Transport
import WAMPCrypto

// Joining: the authentication method is chosen, the user looked up (in the realm's users, or
// handed in from the authenticator by the I/O layer), a CHALLENGE sent and its AUTHENTICATE
// checked; WELCOME or ABORT.
extension RouterCore {
    /// The HELLO's `authmethods` (default `anonymous`), its `authid` and `authextra`.
    private struct Credentials {
        var methods: [String]
        var authid: String?
        var authextra: [String: WAMPValue]

        init(_ hello: WAMPMessage.Hello) {
            if case .list(let list)? = hello.details["authmethods"] {
                methods = list.compactMap(\.stringValue)
            } else {
                methods = [WAMPAuthMethod.anonymous.rawValue]
            }
            authid = hello.details["authid"]?.stringValue
            if case .dict(let extra)? = hello.details["authextra"] { authextra = extra } else { authextra = [:] }
        }
    }

    /// The methods `realm` offers: anonymous when allowed, those of its users' credentials, and
    /// the authenticator's.
    func offeredMethods(_ realm: WAMPRouter.Realm) -> Set<WAMPAuthMethod> {
        var methods = authenticatorMethods
        if realm.allowsAnonymous { methods.insert(.anonymous) }
        for user in realm.users { methods.formUnion(user.authMethods) }
        return methods
    }

    /// The client's first method (in its order) that `realm` offers.
    private func chooseMethod(_ credentials: Credentials, _ realm: WAMPRouter.Realm) -> WAMPAuthMethod? {
        let offered = offeredMethods(realm)
        return credentials.methods.lazy.compactMap(WAMPAuthMethod.init(rawValue:)).first { offered.contains($0) }
    }

    /// What the I/O layer must ask the ``WAMPAuthenticator`` before ``receive(_:from:now:lookup:)``
    /// can answer `message`: a request for a HELLO (on a connection waiting for one, to a realm
    /// that exists) whose chosen method is the authenticator's; `nil` otherwise.
    func authenticationRequest(for message: WAMPMessage, on connection: ConnectionID) -> WAMPAuthenticationRequest? {
        guard case .hello(let hello) = message, !authenticatorMethods.isEmpty,
              case .awaitingHello? = phase(of: connection), let realm = realms[hello.realm]?.realm
        else { return nil }
        let credentials = Credentials(hello)
        guard let method = chooseMethod(credentials, realm), authenticatorMethods.contains(method) else { return nil }
        return WAMPAuthenticationRequest(
            realm: hello.realm, authMethod: method, authid: credentials.authid, authextra: credentials.authextra)
    }

    /// HELLO: the session is welcomed (anonymous), challenged (ticket, WAMP-CRA, cryptosign), or
    /// aborted (no such realm, no offered method, unknown user, a limit).
    mutating func join(
        _ hello: WAMPMessage.Hello, on connection: ConnectionID, deadline: ContinuousClock.Instant, lookup: UserLookup?,
        into actions: inout [RouterAction]
    ) {
        guard let realm = realms[hello.realm]?.realm else {
            abort(connection, reason: WAMPURI.noSuchRealm, "no realm \"\(hello.realm)\" on this router", into: &actions)
            return
        }
        guard case .dict(let roles)? = hello.details["roles"], !roles.isEmpty else {
            protocolViolation(on: connection, "HELLO.Details.roles must be a dict naming the client's roles", into: &actions)
            return
        }
        guard !isRealmFull(hello.realm, connection, into: &actions) else { return }
        let credentials = Credentials(hello)
        guard let method = chooseMethod(credentials, realm) else {
            let offered = offeredMethods(realm).map(\.rawValue).sorted()
            abort(connection, reason: WAMPURI.noAuthMethod,
                  "realm \"\(hello.realm)\" offers none of the authmethods \(credentials.methods); it offers \(offered)",
                  into: &actions)
            return
        }
        let calleeCancels = roles["callee"]?["features"]?["call_canceling"] == .bool(true)

        // The user: from the authenticator, none (anonymous), or the realm's.
        let user: WAMPUser?
        let provider: String
        if authenticatorMethods.contains(method) {
            provider = "dynamic"
            switch lookup {
            case .found(let found?)?:
                user = found
            case .found(nil)?:
                failAuthentication(connection, "the authenticator knows no user \(credentials.authid.map { "\"\($0)\"" } ?? "(no authid)") for \(method.rawValue)", into: &actions)
                return
            case .failed(let text)?:
                failAuthentication(connection, "the authenticator failed: \(text)", into: &actions)
                return
            case nil:
                failAuthentication(connection, "the authenticator was not asked", into: &actions)
                return
            }
        } else if method == .anonymous {
            (user, provider) = (nil, "static")
        } else {
            provider = "static"
            guard let found = Self.staticUser(method, credentials, in: realm) else {
                failAuthentication(
                    connection, "no user \(credentials.authid.map { "\"\($0)\"" } ?? "(no authid)") with \(method.rawValue) credentials in realm \"\(hello.realm)\"",
                    into: &actions)
                return
            }
            user = found
        }

        var id: WAMPID
        repeat { id = WAMPID.random(in: WAMPID.wampRange, using: &random) } while sessions[id] != nil
        let identity = WAMPSessionIdentity(
            session: id, realm: hello.realm, authid: user?.authid ?? String(id),
            authrole: user?.authrole ?? realm.anonymousAuthRole, authmethod: method.rawValue, authprovider: provider)
        if method == .anonymous {
            establish(identity, calleeCancels: calleeCancels, on: connection, into: &actions)
            return
        }
        guard let user else {
            failAuthentication(connection, "no user for \(method.rawValue)", into: &actions)
            return
        }
        let challenge: WAMPMessage.Challenge
        let expected: PendingAuthentication.Expected
        switch method {
        case .ticket:
            guard let ticket = user.ticket else { return failNoCredential(connection, user, method, into: &actions) }
            challenge = .init(authMethod: method.rawValue)
            expected = .ticket(ticket)
        case .wampcra:
            guard let secret = user.wampcra else { return failNoCredential(connection, user, method, into: &actions) }
            let text = WAMPCRA.challenge(
                authid: user.authid, authrole: user.authrole, authprovider: provider,
                nonce: WAMPHex.encode(randomBytes(16)), timestamp: timestamp(), session: id)
            var extra: [String: WAMPValue] = ["challenge": .string(text)]
            var key = Array(secret.secret.utf8)
            if let salt = secret.salt {
                extra["salt"] = .string(salt)
                extra["iterations"] = .integer(Int64(secret.iterations))
                extra["keylen"] = .integer(Int64(secret.keyLength))
                // The realm's users' keys were derived when the realm was added; an
                // authenticator's user's is derived here.
                key = realms[hello.realm]?.derivedKeys[secret] ?? WAMPCRA.deriveKey(
                    secret: secret.secret, salt: salt, iterations: secret.iterations, keyLength: secret.keyLength)
            }
            challenge = .init(authMethod: method.rawValue, extra: extra)
            expected = .wampcra(challenge: text, key: key)
        case .cryptosign:
            guard let announced = credentials.authextra["pubkey"]?.stringValue?.lowercased(),
                  user.cryptosignKeys.contains(announced), let publicKey = WAMPHex.decode(announced), publicKey.count == 32
            else {
                failAuthentication(connection, "the public key in authextra.pubkey is not one of user \"\(user.authid)\"'s", into: &actions)
                return
            }
            let bytes = randomBytes(WAMPCryptosign.challengeLength)
            challenge = .init(authMethod: method.rawValue, extra: ["challenge": .string(WAMPHex.encode(bytes))])
            expected = .cryptosign(challenge: bytes, publicKey: publicKey)
        case .anonymous:
            return
        }
        setPhase(.authenticating(deadline: deadline), pending: .init(identity: identity, calleeCancels: calleeCancels, expected: expected), of: connection)
        actions.append(.send(.challenge(challenge), to: connection))
    }

    /// AUTHENTICATE answering the CHALLENGE: WELCOME when the signature is right, ABORT
    /// `wamp.error.authentication_failed` when not.
    mutating func authenticate(_ message: WAMPMessage, on connection: ConnectionID, into actions: inout [RouterAction]) {
        switch message {
        case .authenticate(let authenticate):
            guard let pending = pendingAuthentication(of: connection) else { return }
            let valid: Bool
            switch pending.expected {
            case .ticket(let ticket):
                valid = WAMPConstantTime.equals(authenticate.signature, ticket)
            case .wampcra(let challenge, let key):
                valid = WAMPCRA.verify(signature: authenticate.signature, challenge: challenge, key: key)
            case .cryptosign(let challenge, let publicKey):
                valid = WAMPCryptosign.verify(signatureHex: authenticate.signature, challenge: challenge, publicKey: publicKey)
            }
            guard valid else {
                failAuthentication(
                    connection, "wrong \(pending.identity.authmethod) signature for user \"\(pending.identity.authid)\"",
                    into: &actions)
                return
            }
            guard !isRealmFull(pending.identity.realm, connection, into: &actions) else { return }
            guard realms[pending.identity.realm] != nil else {
                abort(connection, reason: WAMPURI.noSuchRealm, "no realm \"\(pending.identity.realm)\" on this router", into: &actions)
                return
            }
            var identity = pending.identity
            // The ID was chosen at CHALLENGE; another session may have drawn it since.
            while sessions[identity.session] != nil { identity.session = WAMPID.random(in: WAMPID.wampRange, using: &random) }
            establish(identity, calleeCancels: pending.calleeCancels, on: connection, into: &actions)
        case .abort:
            close(connection, into: &actions)
        default:
            protocolViolation(on: connection, "\(message.type) received while waiting for AUTHENTICATE", into: &actions)
        }
    }

    /// The realm's user `credentials` name for `method`: by authid (ticket, WAMP-CRA), by the
    /// announced public key (cryptosign, the authid when given must match).
    private static func staticUser(_ method: WAMPAuthMethod, _ credentials: Credentials, in realm: WAMPRouter.Realm) -> WAMPUser? {
        switch method {
        case .anonymous:
            return nil
        case .ticket, .wampcra:
            guard let authid = credentials.authid else { return nil }
            return realm.users.first { $0.authid == authid && $0.authMethods.contains(method) }
        case .cryptosign:
            guard let key = credentials.authextra["pubkey"]?.stringValue?.lowercased() else { return nil }
            return realm.users.first { $0.cryptosignKeys.contains(key) && (credentials.authid ?? $0.authid) == $0.authid }
        }
    }

    /// Whether the realm has as many sessions as allowed; if so, ABORT.
    private mutating func isRealmFull(_ realm: String, _ connection: ConnectionID, into actions: inout [RouterAction]) -> Bool {
        guard let state = realms[realm], state.sessions.count >= limits.sessionsPerRealm else { return false }
        abort(connection, reason: WAMPRouter.limitExceededURI,
              "realm \"\(realm)\" has \(limits.sessionsPerRealm) sessions, the limit (sessionsPerRealm)", into: &actions)
        return true
    }

    /// The session joins: WELCOME, and the realm's `wamp.session.on_join` subscribers are told.
    private mutating func establish(
        _ identity: WAMPSessionIdentity, calleeCancels: Bool, on connection: ConnectionID, into actions: inout [RouterAction]
    ) {
        let id = identity.session
        sessions[id] = RouterSession(identity: identity, connection: connection, calleeCancels: calleeCancels)
        realms[identity.realm]?.sessions.insert(id)
        setPhase(.established(id), pending: nil, of: connection)
        actions.append(.send(.welcome(.init(session: id, details: Self.welcomeDetails(identity))), to: connection))
        publishMetaEvent("wamp.session.on_join", [.dict(Self.sessionDetails(identity))], in: identity.realm, into: &actions)
    }

    /// ABORT `wamp.error.authentication_failed` with `text`, then close.
    private mutating func failAuthentication(_ connection: ConnectionID, _ text: String, into actions: inout [RouterAction]) {
        abort(connection, reason: WAMPURI.authenticationFailed, text, into: &actions)
    }

    private mutating func failNoCredential(
        _ connection: ConnectionID, _ user: WAMPUser, _ method: WAMPAuthMethod, into actions: inout [RouterAction]
    ) {
        failAuthentication(connection, "user \"\(user.authid)\" has no \(method.rawValue) credentials", into: &actions)
    }

    /// `count` octets from the router's random number generator (the system's, secure).
    private mutating func randomBytes(_ count: Int) -> [UInt8] {
        (0 ..< count).map { _ in UInt8.random(in: .min ... .max, using: &random) }
    }
}

extension RouterCore {
    /// The current time in ISO 8601 (UTC), as WAMP-CRA challenges carry it.
    static func wallClockTimestamp() -> String {
        Date.now.ISO8601Format()
    }
}
