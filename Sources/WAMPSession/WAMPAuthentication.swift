public import Transport

/// How a session authenticates when it joins.
///
/// ```swift
/// var configuration = WAMPSession.Configuration()
/// configuration.authentication = .ticket(authid: "joe", ticket: "secret!!!")
/// configuration.authentication = .wampcra(authid: "peter", secret: "secret2")
/// configuration.authentication = .cryptosign(authid: "alice", key: try WAMPCryptosignKey(hexSeed: seed))
/// ```
public enum WAMPAuthentication: Sendable {
    /// No authentication (the router's `anonymous` method), optionally with an authid.
    case anonymous(authid: String? = nil)
    /// Ticket: the ticket is sent as the AUTHENTICATE signature.
    case ticket(authid: String, ticket: String)
    /// WAMP-CRA with a secret; salted users are handled from the CHALLENGE's `salt`,
    /// `iterations` and `keylen`.
    case wampcra(authid: String, secret: String)
    /// WAMP-cryptosign with an Ed25519 key; the public key is announced in `authextra.pubkey`.
    case cryptosign(authid: String?, key: WAMPCryptosignKey)

    /// The `authmethods`, `authid` and `authextra` of HELLO.
    public var helloDetails: [String: WAMPValue] {
        switch self {
        case .anonymous(let authid):
            var details: [String: WAMPValue] = ["authmethods": ["anonymous"]]
            if let authid { details["authid"] = .string(authid) }
            return details
        case .ticket(let authid, _):
            return ["authmethods": ["ticket"], "authid": .string(authid)]
        case .wampcra(let authid, _):
            return ["authmethods": ["wampcra"], "authid": .string(authid)]
        case .cryptosign(let authid, let key):
            var details: [String: WAMPValue] = [
                "authmethods": ["cryptosign"], "authextra": ["pubkey": .string(key.publicKeyHex)],
            ]
            if let authid { details["authid"] = .string(authid) }
            return details
        }
    }

    /// The AUTHENTICATE answering a CHALLENGE.
    ///
    /// - Throws: ``WAMPSessionError/Code/authenticationFailed`` when the challenge is for
    ///   another method or lacks what the method needs.
    public func authenticate(_ challenge: WAMPMessage.Challenge) throws -> WAMPMessage.Authenticate {
        switch (self, challenge.authMethod) {
        case (.ticket(_, let ticket), "ticket"):
            return .init(signature: ticket)
        case (.wampcra(_, let secret), "wampcra"):
            guard let text = challenge.extra["challenge"]?.stringValue else {
                throw WAMPSessionError(.authenticationFailed, "the wampcra CHALLENGE has no challenge string: \(challenge.extra)")
            }
            var key = Array(secret.utf8)
            if let salt = challenge.extra["salt"]?.stringValue {
                guard let iterations = challenge.extra["iterations"]?.int64Value, (1 ... 10_000_000).contains(iterations),
                      let keyLength = challenge.extra["keylen"]?.int64Value, (1 ... 1024).contains(keyLength)
                else {
                    throw WAMPSessionError(.authenticationFailed, "the salted wampcra CHALLENGE needs iterations and keylen in range: \(challenge.extra)")
                }
                key = WAMPCRA.deriveKey(secret: secret, salt: salt, iterations: Int(iterations), keyLength: Int(keyLength))
            }
            return .init(signature: WAMPCRA.sign(challenge: text, key: key))
        case (.cryptosign(_, let key), "cryptosign"):
            guard let text = challenge.extra["challenge"]?.stringValue else {
                throw WAMPSessionError(.authenticationFailed, "the cryptosign CHALLENGE has no challenge: \(challenge.extra)")
            }
            return .init(signature: try key.sign(challengeHex: text))
        default:
            throw WAMPSessionError(
                .authenticationFailed, "the router challenged with \"\(challenge.authMethod)\", which this session is not configured for")
        }
    }
}
