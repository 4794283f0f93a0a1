import Crypto
import Foundation

/// WAMP-CRA (challenge-response authentication): the signature is the Base64 of
/// HMAC-SHA256(key, challenge), where the key is the secret itself, or for a salted user the
/// Base64 of PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen).
///
/// ```swift
/// let signature = WAMPCRA.sign(challenge: challengeText, key: Array("secret".utf8))
/// ```
public enum WAMPCRA {
    /// The Base64 signature of `challenge` under `key`.
    public static func sign(challenge: String, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(challenge.utf8), using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` (Base64) is the signature of `challenge` under `key`, compared in
    /// constant time.
    public static func verify(signature: String, challenge: String, key: [UInt8]) -> Bool {
        WAMPConstantTime.equals(sign(challenge: challenge, key: key), signature)
    }

    /// The challenge text a router sends in CHALLENGE `extra.challenge`: a JSON object with the
    /// authid, authrole, authmethod (`wampcra`), authprovider, a nonce, a timestamp and the
    /// session ID, keys sorted.
    public static func challenge(
        authid: String, authrole: String, authprovider: String, nonce: String, timestamp: String, session: UInt64
    ) -> String {
        let object: [String: Any] = [
            "authid": authid, "authrole": authrole, "authmethod": "wampcra", "authprovider": authprovider,
            "nonce": nonce, "timestamp": timestamp, "session": NSNumber(value: session),
        ]
        // Strings and a number only: serialization cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The key of a salted user: the Base64 text of PBKDF2-HMAC-SHA256, as UTF-8 octets.
    public static func deriveKey(secret: String, salt: String, iterations: Int, keyLength: Int) -> [UInt8] {
        let derived = pbkdf2SHA256(password: Array(secret.utf8), salt: Array(salt.utf8), iterations: iterations, keyLength: keyLength)
        return Array(Data(derived).base64EncodedString().utf8)
    }

    /// PBKDF2 with HMAC-SHA256 (RFC 8018).
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var output: [UInt8] = []
        output.reserveCapacity(keyLength)
        var block: UInt32 = 1
        while output.count < keyLength {
            var message = salt
            message.append(contentsOf: [UInt8(block >> 24), UInt8((block >> 16) & 0xFF), UInt8((block >> 8) & 0xFF), UInt8(block & 0xFF)])
            var u = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            var t = u
            if iterations > 1 {
                for _ in 1 ..< iterations {
                    u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
                    for i in 0 ..< t.count { t[i] ^= u[i] }
                }
            }
            output.append(contentsOf: t.prefix(keyLength - output.count))
            block += 1
        }
        return output
    }
}
