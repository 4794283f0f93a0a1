import Transport

/// A login between CHALLENGE and AUTHENTICATE: who the session will be, and what the
/// AUTHENTICATE signature must be.
struct PendingAuthentication: Sendable {
    /// What proves the user's identity.
    enum Expected: Sendable {
        /// The ticket, sent as the signature.
        case ticket(String)
        /// The Base64 HMAC-SHA256 of `challenge` under `key`.
        case wampcra(challenge: String, key: [UInt8])
        /// An Ed25519 signature of `challenge` by `publicKey`.
        case cryptosign(challenge: [UInt8], publicKey: [UInt8])
    }

    /// The session's identity once the signature is right (its ID is the one in the
    /// WAMP-CRA challenge).
    let identity: WAMPSessionIdentity
    /// The session, as a callee, answers INTERRUPT.
    let calleeCancels: Bool
    let expected: Expected
}

/// The outcome of asking the ``WAMPAuthenticator`` about a HELLO, handed back to the routing
/// state by the I/O layer.
enum UserLookup: Sendable {
    /// The user, `nil` when there is none.
    case found(WAMPUser?)
    /// The authenticator threw this.
    case failed(String)
}
