import Testing
import TimeGuards
import Transport
import WAMPSession

@Suite("Authentication", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct AuthenticationTests {
    @Test("WAMP-CRA signatures and the salted key match Autobahn|Python's derive_key and compute_wcs")
    func wampcraVectors() {
        // Reference values computed with autobahn.wamp.auth 26.10.
        #expect(WAMPCRA.sign(challenge: "challenge-text", key: Array("secret1".utf8)) == "1D1pBbMprTO1ZSUqEFbXbKKnrd2Pn1JTKnsijHyjq3g=")
        let key = WAMPCRA.deriveKey(secret: "secret2", salt: "salt123", iterations: 100, keyLength: 16)
        #expect(String(decoding: key, as: UTF8.self) == "LG5/FwnS5WvgmlEyLPk/pQ==")
        #expect(WAMPCRA.sign(challenge: #"{"nonce": "abc"}"#, key: key) == "ueWsl8s8OuwKSVNZ3aKQbULtKgFNrir1YJ+ihirHA7U=")
    }

    @Test("WAMP-cryptosign: the public key and the signature of a challenge match PyNaCl's")
    func cryptosignVectors() throws {
        let seed = (0 ..< 32).map { String(format2($0)) }.joined()
        let key = try WAMPCryptosignKey(hexSeed: seed)
        #expect(key.publicKeyHex == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
        let challenge = String(repeating: "00", count: 32)
        let signature = try key.sign(challengeHex: challenge)
        #expect(signature.count == 192)
        #expect(signature.hasSuffix(challenge))
        let raw = Array(signature.utf8.prefix(128))
        let bytes = stride(from: 0, to: raw.count, by: 2).map { UInt8(String(decoding: raw[$0 ..< $0 + 2], as: UTF8.self), radix: 16)! }
        #expect(key.isValidSignature(bytes, for: [UInt8](repeating: 0, count: 32)))
    }

    @Test("a malformed cryptosign seed is a typed error")
    func badSeed() {
        let error = #expect(throws: WAMPSessionError.self) { try WAMPCryptosignKey(hexSeed: "xyz") }
        #expect(error?.code == .invalidArgument)
    }

    @Test("ticket: HELLO carries authmethods and authid, CHALLENGE is answered with the ticket")
    func ticketFlow() async throws {
        var configuration = WAMPSession.Configuration()
        configuration.authentication = .ticket(authid: "joe", ticket: "secret!!!")
        let transport = FakeTransport()
        async let joined = WAMPSession.withSession(joining: transport, realm: "realm1", configuration: configuration) { session in
            await session.welcomeDetails
        }
        let hello = try await transport.router.expectHello()
        #expect(hello.details["authmethods"] == ["ticket"])
        #expect(hello.details["authid"] == "joe")
        transport.router.send(.challenge(.init(authMethod: "ticket")))
        let authenticate = try await transport.router.expect("AUTHENTICATE") { if case .authenticate(let a) = $0 { a } else { nil } }
        #expect(authenticate.signature == "secret!!!")
        transport.router.send(.welcome(.init(session: 3, details: ["authid": "joe"])))
        #expect(try await joined["authid"] == "joe")
    }

    @Test("a CHALLENGE for a method not configured: ABORT and .authenticationFailed")
    func unexpectedMethod() async throws {
        var configuration = WAMPSession.Configuration()
        configuration.authentication = .ticket(authid: "joe", ticket: "t")
        let transport = FakeTransport()
        let joined = Task { try await WAMPSession.withSession(joining: transport, realm: "realm1", configuration: configuration) { _ in } }
        _ = await transport.router.next()
        transport.router.send(.challenge(.init(authMethod: "wampcra", extra: ["challenge": "x"])))
        let abort = try await transport.router.expect("ABORT") { if case .abort(let a) = $0 { a } else { nil } }
        #expect(abort.reason == "wamp.error.cannot_authenticate")
        let error = await #expect(throws: WAMPSessionError.self) { try await joined.value }
        #expect(error?.code == .authenticationFailed)
    }
}

private func format2(_ byte: Int) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[byte >> 4], digits[byte & 0xF]])
}
