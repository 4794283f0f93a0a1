import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1 that sends whatever octets a test gives it, for peers
/// that break the protocol below WAMP (garbage frames, invalid WebSocket payloads). Reads poll a
/// non-blocking socket with short sleeps, so no test thread blocks.
final class LoopbackSocket: Sendable {
    /// The file descriptor, closed by ``close()`` or when the socket is released.
    let fd: Int32

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw PeerFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = errno
            close(fd)
            throw PeerFailure("connect() to 127.0.0.1:\(port) failed: errno \(error)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    /// Sends all of `octets` (loopback takes small writes at once).
    func transmit(_ octets: [UInt8]) throws {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)  // a closed peer gives EPIPE, not SIGPIPE
        #else
        let flags: Int32 = 0
        #endif
        var sent = 0
        while sent < octets.count {
            let n = octets[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            guard n > 0 else { throw PeerFailure("send() failed after \(sent) of \(octets.count) octets: errno \(errno)") }
            sent += n
        }
    }

    /// Reads until `count` octets arrived; throws when the peer closes first or the time is up.
    func read(count: Int, timeout: Double) async throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while received.count < count {
            switch receiveSome() {
            case .octets(let octets): received += octets
            case .closed: throw PeerFailure("the peer closed after \(received.count) of \(count) octets: \(received)")
            case .nothing:
                guard ContinuousClock.now < deadline else {
                    throw InteropTimeoutError(what: "\(count) octets (got \(received.count))", seconds: timeout)
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        return received
    }

    /// Reads until the peer closes the connection (end of file or a reset) and returns what
    /// arrived before; throws when the time is up first.
    func readUntilClosed(timeout: Double) async throws -> [UInt8] {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            switch receiveSome() {
            case .octets(let octets): received += octets
            case .closed: return received
            case .nothing:
                guard ContinuousClock.now < deadline else {
                    throw InteropTimeoutError(what: "the peer to close the connection (got \(received))", seconds: timeout)
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    private enum Received {
        case octets([UInt8])
        case closed
        case nothing
    }

    private func receiveSome() -> Received {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { return .octets(Array(buffer[..<n])) }
        if n == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .nothing : .closed
    }
}
