import ArgumentParser
import Foundation
import RawSocketTransport
import Transport

/// Opens a transport for a URL: the one place that maps URL schemes to transports, so that
/// new ones (`ws://`, `wss://`) are added here and every session subcommand gets them (the
/// session calls it again to reconnect).
enum TransportDialer {
    /// Connects to `url`: `rs://HOST:PORT`, `rss://HOST:PORT`, `rs+unix:///PATH`.
    ///
    /// - Throws: `ValidationError` for a URL no transport understands; the transport's
    ///   connection error.
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
