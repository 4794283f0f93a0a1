/// A WAMP authentication method, as named in HELLO `authmethods` and WELCOME `authmethod`.
public enum WAMPAuthMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// No credentials: the realm's ``WAMPRouter/Realm/anonymousAuthRole``.
    case anonymous
    /// A shared secret sent as is (use it over TLS only).
    case ticket
    /// WAMP-CRA: an HMAC-SHA256 of the router's challenge under the user's secret (or the key
    /// derived from it with PBKDF2 for a salted user).
    case wampcra
    /// WAMP-cryptosign: an Ed25519 signature of the router's random challenge.
    case cryptosign
}
