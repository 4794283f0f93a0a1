/// Where a server listens: a TCP host and port, or a Unix socket path.
package enum ListenAddress: Sendable, Hashable {
    /// TCP; port 0 picks a free one.
    case tcp(host: String, port: Int)
    /// A Unix domain socket; an existing socket file is replaced.
    case unix(path: String)
}

extension ListenAddress: CustomStringConvertible {
    /// `HOST:PORT` (IPv6 in brackets) or `unix:PATH`.
    package var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
