internal import NIOCore
internal import NIOPosix
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Plain words for the socket errors a user sees (connection refused, address in use), instead
/// of SwiftNIO's type dumps.
package enum SocketErrorText {
    /// `connection refused`, `address already in use`, ... for socket errors; the error's own
    /// description otherwise.
    package static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return text(errno: io.errnoCode) ?? "\(io)" }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return describe(first.error) }
            if let dns = connect.dnsAAAAError ?? connect.dnsAError { return "cannot resolve the host name: \(dns)" }
            return "no address to connect to"
        }
        if let channelError = error as? ChannelError, case .connectTimeout(let amount) = channelError {
            return "no answer within \(amount)"
        }
        return "\(error)"
    }

    /// Whether `error` is the TCP connect running out of its time.
    package static func isConnectTimeout(_ error: any Error) -> Bool {
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return true }
        if let connect = error as? NIOConnectionError {
            return connect.connectionErrors.contains { isConnectTimeout($0.error) }
        }
        return false
    }

    private static func text(errno: CInt) -> String? {
        switch errno {
        case ECONNREFUSED: "connection refused"
        case EADDRINUSE: "address already in use"
        case EADDRNOTAVAIL: "address not available"
        case EACCES, EPERM: "permission denied"
        case ECONNRESET: "connection reset by the peer"
        case ENOENT: "no such socket file"
        case ETIMEDOUT: "timed out"
        case EHOSTUNREACH, ENETUNREACH: "host unreachable"
        default: nil
        }
    }
}
