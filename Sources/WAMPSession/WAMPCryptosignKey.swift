import Crypto
import WAMPCrypto

/// An Ed25519 key for WAMP-cryptosign. The router's challenge (32 random octets, hex) is
/// signed with it; the answer is the hex of the 64-octet signature followed by the challenge.
///
/// ```swift
/// let key = WAMPCryptosignKey()              // a new random key
/// print(key.publicKeyHex)                    // goes in the router's authorized_keys
/// let same = try WAMPCryptosignKey(hexSeed: "000102...1f")
/// ```
public struct WAMPCryptosignKey: Sendable, Hashable {
    /// The 32-octet private seed (swift-crypto's `rawRepresentation`).
    public let seed: [UInt8]

    /// A new random key.
    public init() {
        seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// A key from its 32-octet seed.
    ///
    /// - Throws: ``WAMPSessionError/Code/invalidArgument`` when it is not 32 octets.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) != nil else {
            throw WAMPSessionError(.invalidArgument, "an Ed25519 private key seed must be 32 octets, got \(seed.count)")
        }
        self.seed = seed
    }

    /// A key from its seed in hex (64 digits).
    ///
    /// - Throws: ``WAMPSessionError/Code/invalidArgument`` for text that is not 64 hex digits.
    public init(hexSeed: String) throws {
        guard let seed = Self.bytes(hex: hexSeed), seed.count == 32 else {
            throw WAMPSessionError(.invalidArgument, "an Ed25519 private key seed must be 64 hex digits, got \"\(hexSeed.prefix(80))\"")
        }
        try self.init(seed: seed)
    }

    private var privateKey: Curve25519.Signing.PrivateKey {
        // The seed was validated by every initializer.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// The public key as 64 lowercase hex digits.
    public var publicKeyHex: String {
        Self.hex(Array(privateKey.publicKey.rawRepresentation))
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        privateKey.publicKey.isValidSignature(signature, for: message)
    }

    /// The AUTHENTICATE signature for a hex challenge: hex(signature) + hex(challenge).
    ///
    /// - Throws: ``WAMPSessionError/Code/authenticationFailed`` when the challenge is not hex.
    public func sign(challengeHex: String) throws -> String {
        guard let challenge = Self.bytes(hex: challengeHex), !challenge.isEmpty else {
            throw WAMPSessionError(.authenticationFailed, "the cryptosign challenge is not hex: \(challengeHex.prefix(80))")
        }
        let signature: [UInt8]
        do {
            signature = Array(try privateKey.signature(for: challenge))
        } catch {
            throw WAMPSessionError(.authenticationFailed, "Ed25519 signing failed", cause: error)
        }
        return Self.hex(signature) + Self.hex(challenge)
    }

    static func hex(_ bytes: [UInt8]) -> String { WAMPHex.encode(bytes) }

    static func bytes(hex: String) -> [UInt8]? { WAMPHex.decode(hex) }
}

extension WAMPCryptosignKey: CustomStringConvertible {
    /// The public key only: a log line never shows the seed.
    public var description: String { "WAMPCryptosignKey(public: \(publicKeyHex))" }
}
