import Transport

/// Where a RawSocket connection goes or is accepted: a TCP host and port, or a Unix socket
/// path; with or without TLS. Parses the URLs the `wamp` tool takes: `rs://HOST:PORT`,
/// `rss://HOST:PORT` (TLS), `rs+unix:///PATH`.
public struct RawSocketEndpoint: Hashable, Sendable {
    /// The address kind.
    public enum Address: Hashable, Sendable {
        /// TCP: host name or IP address, and port.
        case tcp(host: String, port: Int)
        /// A Unix domain socket path.
        case unix(path: String)
    }

    /// The address.
    public var address: Address
    /// Whether the connection runs over TLS.
    public var usesTLS: Bool

    /// Creates an endpoint.
    public init(_ address: Address, usesTLS: Bool = false) {
        self.address = address
        self.usesTLS = usesTLS
    }

    /// A TCP endpoint.
    public static func tcp(host: String, port: Int) -> RawSocketEndpoint { .init(.tcp(host: host, port: port)) }
    /// A Unix socket endpoint.
    public static func unix(path: String) -> RawSocketEndpoint { .init(.unix(path: path)) }

    /// Parses `rs://HOST:PORT`, `rss://HOST:PORT` (TLS), `rs+unix:///PATH` (also
    /// `rawsocket://`, `tcp://` and `unix:///PATH`). IPv6 hosts go in brackets: `rs://[::1]:8080`.
    ///
    /// - Throws: ``RawSocketError/Code/invalidURL``.
    public init(url: String) throws(RawSocketError) {
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw RawSocketError(.invalidURL, "\"\(url)\" has no scheme; expected rs://HOST:PORT, rss://HOST:PORT or rs+unix:///PATH")
        }
        let scheme = parts[0].lowercased()
        let rest = String(parts[1])
        switch scheme {
        case "rs+unix", "rss+unix", "unix":
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw RawSocketError(.invalidURL, "\"\(url)\" needs an absolute socket path: rs+unix:///PATH")
            }
            self.init(.unix(path: rest), usesTLS: scheme == "rss+unix")
        case "rs", "rss", "rawsocket", "tcp":
            var hostPort = Substring(rest)
            if let slash = hostPort.firstIndex(of: "/") { hostPort = hostPort[..<slash] }
            guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
                  (0 ... 65535).contains(port)
            else {
                throw RawSocketError(.invalidURL, "\"\(url)\" needs a host and a port from 0 to 65535: rs://HOST:PORT")
            }
            var host = String(hostPort[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw RawSocketError(.invalidURL, "\"\(url)\" has an empty host") }
            self.init(.tcp(host: host, port: port), usesTLS: scheme == "rss")
        default:
            throw RawSocketError(.invalidURL, "unknown scheme \"\(scheme)\" in \"\(url)\"; expected rs, rss or rs+unix")
        }
    }
}

extension RawSocketEndpoint: CustomStringConvertible {
    /// The endpoint as a URL.
    public var description: String {
        switch address {
        case .tcp(let host, let port):
            let h = host.contains(":") ? "[\(host)]" : host
            return "\(usesTLS ? "rss" : "rs")://\(h):\(port)"
        case .unix(let path):
            return "\(usesTLS ? "rss+unix" : "rs+unix")://\(path)"
        }
    }
}

extension RawSocketEndpoint {
    /// The socket address, for the server engine and the client connector.
    package var listenAddress: ListenAddress {
        switch address {
        case .tcp(let host, let port): .tcp(host: host, port: port)
        case .unix(let path): .unix(path: path)
        }
    }
}
