import Crypto

/// WAMP-cryptosign (Ed25519) as the router checks it: the CHALLENGE carries 32 random octets in
/// hex (`extra.challenge`); the client's AUTHENTICATE signature is the hex of the 64-octet
/// Ed25519 signature of those octets followed by the octets themselves (96 octets, 192 hex
/// digits); the client announced its public key (32 octets, hex) in HELLO
/// `authextra.pubkey`.
public enum WAMPCryptosign {
    /// How many random octets a challenge has.
    public static let challengeLength = 32

    /// Whether `signatureHex` (signature followed by the challenge, in hex) is `publicKey`'s
    /// signature of exactly `challenge`.
    public static func verify(signatureHex: String, challenge: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let signed = WAMPHex.decode(signatureHex), signed.count == 64 + challenge.count,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return false }
        let signature = Array(signed.prefix(64))
        let message = Array(signed.dropFirst(64))
        guard WAMPConstantTime.equals(message, challenge) else { return false }
        return key.isValidSignature(signature, for: challenge)
    }

    /// The public key of a 32-octet Ed25519 seed; `nil` when it is not one.
    public static func publicKey(seed: [UInt8]) -> [UInt8]? {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { return nil }
        return Array(key.publicKey.rawRepresentation)
    }
}
