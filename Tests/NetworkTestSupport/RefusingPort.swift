#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket call that failed while setting up ``withRefusingPort(_:)``.
public struct RefusingPortError: Error, CustomStringConvertible {
    /// The call: `socket` or `bind`.
    public let what: String
    /// Its `errno`.
    public let errno: Int32

    public var description: String { "\(what) failed with errno \(errno)" }
}

/// Runs `body` with a loopback port that refuses connections: a TCP socket is bound to it and
/// never listens, so a connect is reset, and no other socket can take the port while `body`
/// runs. (A port bound and released at once could be taken meanwhile: once, another process's
/// server listened on it and the connect failed in the handshake instead.)
@discardableResult
public func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw RefusingPortError(what: "socket", errno: errno) }
    defer { close(fd) }
    // A `sockaddr_in` for 127.0.0.1, port 0, as octets: its fields are not visible here
    // (the type comes through NIO's C module). Family, then the port and the address in
    // network order, then zeros; on Darwin the family is preceded by the length.
    #if canImport(Darwin)
    var address: [UInt8] = [16, UInt8(AF_INET), 0, 0, 127, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
    #else
    var address: [UInt8] = [UInt8(AF_INET), 0, 0, 0, 127, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
    #endif
    var length = socklen_t(address.count)
    let bound = address.withUnsafeMutableBytes { bytes in
        let pointer = bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self)
        return bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
    }
    guard bound else { throw RefusingPortError(what: "bind", errno: errno) }
    return try await body(Int(address[2]) << 8 | Int(address[3]))
}
