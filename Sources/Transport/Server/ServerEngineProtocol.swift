package import NIOCore

/// A ``ServerEngine`` seen through its connection type only, so that ``WAMPServer`` is generic
/// over the connection and not over the protocol that makes it.
package protocol ServerEngineProtocol<Connection>: Sendable {
    associatedtype Connection: Sendable
    var localAddress: SocketAddress? { get }
    var maxConnections: Int? { get }
    var connectionCount: Int { get }
    func run(_ handler: @escaping @Sendable (Connection) async throws -> Void) async throws
    func connections() -> AsyncThrowingStream<Connection, any Error>
    func shutdown() async
}

extension ServerEngine: ServerEngineProtocol {
    package typealias Connection = Served.Connection
}
