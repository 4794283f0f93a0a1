public import Logging
import Synchronization
public import Transport

// The callee role: REGISTER, INVOCATION, YIELD, INTERRUPT, UNREGISTER.

extension WAMPSession {
    // MARK: - Callee

    /// Registers a procedure. Each INVOCATION runs `handler` in its own child task of the
    /// session's scope; its return value is sent as YIELD, a thrown ``WAMPError`` as that ERROR,
    /// any other thrown error as ERROR `wamp.error.runtime_error`. An INTERRUPT cancels the
    /// handler's task.
    ///
    /// - Throws: ``WAMPError`` when the dealer refuses (`wamp.error.procedure_already_exists`, ...);
    ///   ``WAMPSessionError``; the transport's send error.
    @discardableResult
    public func register(
        _ procedure: String, options: [String: WAMPValue] = [:], logger: Logger? = nil,
        handler: @escaping Handler
    ) async throws -> WAMPRegistration {
        let logger = logger ?? self.logger
        let (token, started, target) = try state.withLock { state in
            let (token, started) = try state.machine.register(procedure, options: options, handler: handler)
            return (token, started, state.current)
        }
        _ = try await request(started, on: target, logger: logger)  // on failure the machine drops the registration
        return WAMPRegistration(procedure: procedure, token: token, session: self)
    }

    /// Registers a procedure whose handler returns an `Encodable` value, encoded as
    /// ``WAMPResult/init(encoding:encoder:)`` does.
    ///
    /// ```swift
    /// try await session.register("com.example.add") { invocation in
    ///     try invocation.decode([Int].self).reduce(0, +)
    /// }
    /// ```
    @discardableResult
    public func register<R: Encodable & Sendable>(
        _ procedure: String, options: [String: WAMPValue] = [:], logger: Logger? = nil,
        handler: @escaping @Sendable (WAMPInvocation) async throws -> R
    ) async throws -> WAMPRegistration {
        try await register(procedure, options: options, logger: logger) { invocation -> WAMPResult in
            try WAMPResult(encoding: try await handler(invocation))
        }
    }

    /// Ends the local registration `token`; waits for UNREGISTERED when the router knows it.
    func unregister(token: Int, logger: Logger?) async throws {
        let logger = logger ?? self.logger
        let (request, target) = state.withLock { ($0.machine.unregister(token: token), $0.current) }
        guard let request else { return }
        _ = try await self.request(request, on: target, logger: logger)
    }
}
