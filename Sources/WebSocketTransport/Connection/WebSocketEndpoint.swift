/// Where a WebSocket client connects or a server listens: host, port, HTTP path, and
/// whether TLS is used (`wss://`).
public struct WebSocketEndpoint: Hashable, Sendable {
    /// The host name or IP address (IPv6 without brackets).
    public var host: String
    /// The TCP port (0 on a server picks a free one).
    public var port: Int
    /// The HTTP path of the upgrade request, starting with `/`, with any query. A server
    /// accepts upgrades for this path only.
    public var path: String
    /// Whether the connection runs over TLS.
    public var usesTLS: Bool

    /// Creates an endpoint.
    public init(host: String, port: Int, path: String = "/", usesTLS: Bool = false) {
        self.host = host
        self.port = port
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.usesTLS = usesTLS
    }

    /// Parses `ws://HOST[:PORT][/PATH]` or `wss://HOST[:PORT][/PATH]` (TLS). The port
    /// defaults to 80 and 443, the path to `/`. IPv6 hosts go in brackets: `ws://[::1]:8080/ws`.
    ///
    /// - Throws: ``WebSocketError/Code/invalidURL``.
    public init(url: String) throws(WebSocketError) {
        let parts = url.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw WebSocketError(.invalidURL, "\"\(url)\" has no scheme; expected ws://HOST:PORT/PATH or wss://HOST:PORT/PATH")
        }
        let scheme = parts[0].lowercased()
        guard scheme == "ws" || scheme == "wss" else {
            throw WebSocketError(.invalidURL, "unknown scheme \"\(scheme)\" in \"\(url)\"; expected ws or wss")
        }
        let tls = scheme == "wss"
        var authority = parts[1]
        var path = "/"
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            path = String(authority[slash...])
            if path.hasPrefix("?") { path = "/" + path }
            authority = authority[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw WebSocketError(.invalidURL, "\"\(url)\" has an unterminated IPv6 address")
            }
            host = authority[authority.index(after: authority.startIndex) ..< close]
            let rest = authority[authority.index(after: close)...]
            if rest.hasPrefix(":") { portText = rest.dropFirst() } else if !rest.isEmpty {
                throw WebSocketError(.invalidURL, "\"\(url)\" has text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw WebSocketError(.invalidURL, "\"\(url)\" has an empty host") }
        let port: Int
        if let portText {
            guard let value = Int(portText), (0 ... 65535).contains(value) else {
                throw WebSocketError(.invalidURL, "\"\(url)\" needs a port from 0 to 65535")
            }
            port = value
        } else {
            port = tls ? 443 : 80
        }
        self.init(host: String(host), port: port, path: path, usesTLS: tls)
    }
}

extension WebSocketEndpoint: CustomStringConvertible {
    /// The endpoint as a URL.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "wss" : "ws")://\(h):\(port)\(path)"
    }
}
