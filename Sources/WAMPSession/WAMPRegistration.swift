public import Logging

/// A registered procedure. It stays registered until ``unregister(logger:)`` or the end of the
/// session (dropping this value does not unregister).
///
/// ```swift
/// let registration = try await session.register("com.example.add") { invocation in
///     try invocation.decode([Int].self).reduce(0, +)
/// }
/// try await registration.unregister()
/// ```
public struct WAMPRegistration: Sendable {
    /// The procedure registered.
    public let procedure: String
    let token: Int
    let session: WAMPSession

    /// Unregisters the procedure and waits for UNREGISTERED.
    public func unregister(logger: Logger? = nil) async throws {
        try await session.unregister(token: token, logger: logger)
    }
}
