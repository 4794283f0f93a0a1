import Foundation
import NIOCore
import NIOSSL
import RawSocketTransport
import Testing
import TimeGuards
import Transport

/// RawSocket over TLS with a self-signed certificate made by `openssl` for the test.
@Suite("TLS", .scaledTimeLimit(minutes: 1))
struct TLSTests {
    /// A self-signed certificate for CN=localhost and its key, made once per test run in a
    /// temporary directory that is removed as soon as both are loaded.
    struct Identity: Sendable {
        let certificate: NIOSSLCertificate
        let privateKey: NIOSSLPrivateKey

        /// Runs `openssl req -x509 ...` without blocking a thread of the cooperative pool.
        static func make() async throws -> Identity {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", "key.pem", "-out", "cert.pem",
            ]
            process.currentDirectoryURL = directory
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
            guard status == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl exited with \(status)"])
            }
            let certificates = try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("cert.pem").path)
            let certificate = try #require(certificates.first)
            let privateKey = try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem)
            return Identity(certificate: certificate, privateKey: privateKey)
        }

        var serverConfiguration: TLSConfiguration {
            TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(privateKey))
        }

        var trustingClientConfiguration: TLSConfiguration {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates([certificate])
            return configuration
        }
    }

    /// Makes the identity once for all TLS tests.
    actor IdentityCache {
        static let shared = IdentityCache()
        private var task: Task<Identity, any Error>?

        func identity() async throws -> Identity {
            if let task { return try await task.value }
            let task = Task { try await Identity.make() }
            self.task = task
            return try await task.value
        }
    }

    static let endpoint = RawSocketEndpoint(.tcp(host: "127.0.0.1", port: 0), usesTLS: true)

    @Test("messages round trip over TLS with a trusted self-signed certificate", arguments: ["json", "msgpack"])
    func messagesRoundTripOverTLS(serializerName: String) async throws {
        let identity = try await withTimeout(30, "openssl") { try await IdentityCache.shared.identity() }
        try await withEchoServer(endpoint: Self.endpoint, configuration: .init { $0.tls = identity.serverConfiguration }) { server, endpoint in
            #expect(endpoint.usesTLS)
            try await withTimeout(15, "TLS round trip") {
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [serializer(named: serializerName)],
                    configuration: .init { $0.tls = identity.trustingClientConfiguration; $0.serverHostname = "localhost" })
                var inbound = connection.inbound.makeAsyncIterator()
                for message in sampleMessages {
                    try await connection.send(message)
                    #expect(try await inbound.next() == message)
                }
                // A payload spanning many TLS records.
                let big = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments([.binary(patternedPayload(200_000))], [:])))
                try await connection.send(big)
                #expect(try await inbound.next() == big)
                try await connection.close()
            }
        }
    }

    @Test("a client that does not trust the certificate fails to connect")
    func untrustingClientFails() async throws {
        let identity = try await withTimeout(30, "openssl") { try await IdentityCache.shared.identity() }
        try await withEchoServer(endpoint: Self.endpoint, configuration: .init { $0.tls = identity.serverConfiguration }) { server, endpoint in
            try await withTimeout(15, "untrusted TLS connect") {
                let error = await #expect(throws: RawSocketError.self) {
                    try await RawSocketClient.connect(
                        to: endpoint, serializers: [jsonSerializer],
                        configuration: .init { $0.tls = .makeClientConfiguration(); $0.serverHostname = "localhost" })
                }
                // A typed error that carries the TLS failure as its cause.
                #expect(error?.code == .connectionFailed)
                #expect(error?.cause != nil)
                // The default configuration for a TLS endpoint verifies certificates too.
                await #expect(throws: (any Error).self) {
                    try await RawSocketClient.connect(
                        to: endpoint, serializers: [jsonSerializer], configuration: .init { $0.serverHostname = "localhost" })
                }
                // The server is still fine for a client that trusts it.
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [jsonSerializer],
                    configuration: .init { $0.tls = identity.trustingClientConfiguration; $0.serverHostname = "localhost" })
                try await connection.close()
            }
        }
    }

    @Test("a client verifying another host name fails to connect")
    func wrongHostNameFails() async throws {
        let identity = try await withTimeout(30, "openssl") { try await IdentityCache.shared.identity() }
        try await withEchoServer(endpoint: Self.endpoint, configuration: .init { $0.tls = identity.serverConfiguration }) { server, endpoint in
            try await withTimeout(15, "wrong host name") {
                await #expect(throws: (any Error).self) {
                    try await RawSocketClient.connect(
                        to: endpoint, serializers: [jsonSerializer],
                        configuration: .init { $0.tls = identity.trustingClientConfiguration; $0.serverHostname = "example.com" })
                }
            }
        }
    }

    @Test("a TLS endpoint without a server TLS configuration is an invalid configuration")
    func tlsEndpointNeedsConfiguration() async {
        await expectErrorAsync(.invalidConfiguration) {
            try await RawSocketServer.bind(to: Self.endpoint, serializers: [jsonSerializer])
        }
    }
}
