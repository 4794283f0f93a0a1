import Foundation
import NIOCore
import NIOSSL
import Testing
import TimeGuards
import Transport
import WebSocketTransport

/// Typed messages of several kinds and values, for echo tests.
let sampleMessages: [WAMPMessage] = [
    .hello(.init(realm: "realm1", details: ["roles": ["caller": [:], "subscriber": [:]]])),
    .call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3, "ünï", 1.5, nil, true], ["k": [1, 2]]))),
    .event(.init(subscription: 5, publication: 6, payload: .arguments(["hello", .binary([0, 1, 255])], ["k": "v"]))),
    .goodbye(.init(reason: "wamp.close.normal")),
]

/// A self-signed certificate for CN=localhost made with `openssl` for the test run.
struct TestIdentity: Sendable {
    let certificate: NIOSSLCertificate
    let privateKey: NIOSSLPrivateKey

    static func make() throws -> TestIdentity {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-keyout", "key.pem", "-out", "cert.pem",
        ]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let certificate = try #require(try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("cert.pem").path).first)
        let key = try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem)
        return TestIdentity(certificate: certificate, privateKey: key)
    }

    var server: TLSConfiguration {
        .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(privateKey))
    }

    var trustingClient: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([certificate])
        return configuration
    }
}

/// The configuration of the tests' echo servers that choose none: the library's defaults, with
/// the handshake timeout (10 s) as a time guard instead (``TimeGuard``).
let guardedConfiguration = WebSocketConfiguration { $0.handshakeTimeout = .nanoseconds(TimeGuard.nanoseconds(10)) }

/// Runs an echo server on 127.0.0.1 (a free port) for the duration of `body`; `wss://` when the
/// configuration has `tls`.
func withEchoServer<T: Sendable>(
    path: String = "/ws", serializers: [any WAMPSerializer], configuration: WebSocketConfiguration = guardedConfiguration,
    _ body: (WebSocketServer, WebSocketEndpoint) async throws -> T
) async throws -> T {
    let server = try await WebSocketServer.bind(
        to: WebSocketEndpoint(host: "127.0.0.1", port: 0, path: path, usesTLS: configuration.tls != nil),
        serializers: serializers, configuration: configuration)
    let task = Task {
        try await server.run { connection in
            for try await message in connection.inbound { try await connection.send(message) }
        }
    }
    let endpoint = WebSocketEndpoint(host: "127.0.0.1", port: server.port ?? 0, path: path, usesTLS: configuration.tls != nil)
    do {
        let result = try await body(server, endpoint)
        await server.shutdown()
        _ = await task.result
        return result
    } catch {
        await server.shutdown()
        _ = await task.result
        throw error
    }
}
