import WAMPCrypto

/// WAMP-CRA (challenge-response authentication): the signature is the Base64 of
/// HMAC-SHA256(key, challenge), where the key is the secret itself, or for a salted user the
/// Base64 of PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen). The computation lives in the
/// `WAMPCrypto` module, which the router shares.
///
/// ```swift
/// let signature = WAMPCRA.sign(challenge: challengeText, key: Array("secret".utf8))
/// ```
public enum WAMPCRA {
    /// The Base64 signature of `challenge` under `key`.
    public static func sign(challenge: String, key: [UInt8]) -> String {
        WAMPCrypto.WAMPCRA.sign(challenge: challenge, key: key)
    }

    /// The key of a salted user: the Base64 text of PBKDF2-HMAC-SHA256, as UTF-8 octets.
    public static func deriveKey(secret: String, salt: String, iterations: Int, keyLength: Int) -> [UInt8] {
        WAMPCrypto.WAMPCRA.deriveKey(secret: secret, salt: salt, iterations: iterations, keyLength: keyLength)
    }

    /// PBKDF2 with HMAC-SHA256 (RFC 8018).
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        WAMPCrypto.WAMPCRA.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, keyLength: keyLength)
    }
}
