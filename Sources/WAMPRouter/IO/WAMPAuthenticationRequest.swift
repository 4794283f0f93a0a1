public import Transport

/// A HELLO the router asks its ``WAMPAuthenticator`` about: who says it is whom, for which
/// realm and method.
public struct WAMPAuthenticationRequest: Sendable, Hashable {
    /// The realm asked for.
    public var realm: String
    /// The method the router chose among the client's `authmethods`.
    public var authMethod: WAMPAuthMethod
    /// HELLO `authid`, when the client gave one.
    public var authid: String?
    /// HELLO `authextra` (cryptosign's `pubkey` ...).
    public var authextra: [String: WAMPValue]

    /// Creates a request.
    public init(realm: String, authMethod: WAMPAuthMethod, authid: String?, authextra: [String: WAMPValue] = [:]) {
        self.realm = realm
        self.authMethod = authMethod
        self.authid = authid
        self.authextra = authextra
    }

    /// The cryptosign public key the client announced (`authextra.pubkey`), lowercased.
    public var publicKey: String? {
        authextra["pubkey"]?.stringValue?.lowercased()
    }
}
