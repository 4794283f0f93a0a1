import ArgumentParser
import Foundation
import RawSocketTransport
import Transport

/// Opens a transport for a URL: the one place that maps URL schemes to transports, so that
/// new ones (`ws://`, `wss://`) are added here and every session subcommand gets them.
enum TransportDialer {
    /// Connects to `url` with `serializer`, runs `body` with the open transport, and closes it
    /// afterwards (the body may close it first).
    ///
    /// - Throws: `ValidationError` for a URL no transport understands; the transport's
    ///   connection error.
    static func withTransport<Result: Sendable>(
        url: String, serializer: SerializerOption, tls: ClientTLSOptions,
        _ body: (any WAMPTransport) async throws -> Result
    ) async throws -> Result {
        let transport = try await connect(url: url, serializer: serializer, tls: tls)
        do {
            let result = try await body(transport)
            try? await transport.close()
            return result
        } catch {
            try? await transport.close()
            throw error
        }
    }

    /// Connects to `url`: `rs://HOST:PORT`, `rss://HOST:PORT`, `rs+unix:///PATH`.
    static func connect(url: String, serializer: SerializerOption, tls: ClientTLSOptions) async throws -> any WAMPTransport {
        let endpoint: RawSocketEndpoint
        do {
            endpoint = try RawSocketEndpoint(url: url)
        } catch {
            throw ValidationError("\(error.message)")
        }
        return try await RawSocketClient.connect(
            to: endpoint, serializer: serializer.serializer, tlsConfiguration: try tls.configuration(),
            serverHostname: tls.tlsServerName)
    }
}
