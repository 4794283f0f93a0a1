import ArgumentParser
import NIOSSL

/// TLS options for `rss://` endpoints.
struct ServerTLSOptions: ParsableArguments {
    @Option(help: "PEM certificate chain for the rss:// and wss:// listeners.")
    var tlsCert: String?

    @Option(help: "PEM private key for the rss:// and wss:// listeners.")
    var tlsKey: String?

    /// The server configuration, when a certificate and key were given.
    func configuration() throws -> TLSConfiguration? {
        switch (tlsCert, tlsKey) {
        case (nil, nil):
            return nil
        case let (cert?, key?):
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
                return .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw ToolFailure(.usage, "cannot read the PEM files --tls-cert \(cert) and --tls-key \(key): \(error)")
            }
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
    }
}

/// TLS options of a client connecting to an `rss://` endpoint.
struct ClientTLSOptions: ParsableArguments {
    @Option(help: "PEM file of certificates to trust instead of the system's (for a self-signed server).")
    var tlsCA: String?

    @Option(help: "The name to verify the server's certificate against (default: the URL's host).")
    var tlsServerName: String?

    /// The client configuration, when a trust root was given.
    func configuration() throws -> TLSConfiguration? {
        guard let tlsCA else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tlsCA))
        } catch {
            throw ToolFailure(.usage, "cannot read the PEM file --tls-ca \(tlsCA): \(error)")
        }
        return configuration
    }
}
