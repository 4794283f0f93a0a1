public import Logging
import Synchronization
public import Transport

// The caller role: CALL, RESULT, CANCEL, progressive results.

extension WAMPSession {
    // MARK: - Caller

    /// Calls a procedure and returns its result.
    ///
    /// Cancelling the calling task sends CANCEL (with ``WAMPCallOptions/cancelMode``) and
    /// throws `CancellationError`.
    ///
    /// - Throws: ``WAMPError`` when the callee or the dealer answers with ERROR;
    ///   ``WAMPSessionError`` (``WAMPSessionError/Code/callTimedOut``, ``WAMPSessionError/Code/notJoined``,
    ///   ``WAMPSessionError/Code/connectionLost``, ``WAMPSessionError/Code/protocolViolation``
    ///   for a reply that is not RESULT, ...); the transport's send error.
    public func call(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init(), logger: Logger? = nil
    ) async throws -> WAMPResult {
        let logger = logger ?? self.logger
        try Task.checkCancellation()
        let (started, target) = try start { try $0.call(procedure, args: args, kwargs: kwargs, options: options) }
        let reply = try await cancellableRequest(started, on: target, logger: logger)
        return try Self.expectReply(reply, to: "CALL", started.handle.id) { reply in
            if case .result(let result) = reply { WAMPResult(result.payload, details: result.details) } else { nil }
        }
    }

    /// Calls a procedure with `Encodable` arguments and decodes its result.
    ///
    /// ```swift
    /// let sum: Int = try await session.call("com.example.add", 2, 3)
    /// ```
    ///
    /// - Throws: as ``call(_:args:kwargs:options:logger:)``; ``WAMPSessionError/Code/invalidArgument``
    ///   when an argument does not encode or the result does not decode as `R`.
    public func call<R: Decodable>(
        _ procedure: String, _ arguments: any Encodable..., returning: R.Type = R.self,
        options: WAMPCallOptions = .init(), logger: Logger? = nil
    ) async throws -> R {
        let args = try arguments.map(Self.encodeArgument)
        return try await call(procedure, args: args, options: options, logger: logger).decode(R.self)
    }

    /// Calls a procedure asking for progressive results: the sequence yields each progressive
    /// result, then the final result, and finishes (or throws the call's error). Dropping the
    /// sequence or cancelling its reader before the end sends CANCEL. The sequence throws
    /// ``WAMPSessionError/Code/eventBufferOverflow`` (and the call is canceled) when more than
    /// ``Configuration/eventBufferLimit`` results were not read.
    ///
    /// - Throws: ``WAMPSessionError/Code/notJoined``; the transport's send error.
    public func progressiveCall(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init(), logger: Logger? = nil
    ) async throws -> AsyncThrowingStream<WAMPResult, any Error> {
        let logger = logger ?? self.logger
        try Task.checkCancellation()
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WAMPResult.self, bufferingPolicy: .bufferingOldest(max(1, configuration.eventBufferLimit)))
        let (started, target) = try start { machine in
            try machine.call(procedure, args: args, kwargs: kwargs, options: options, progressive: true)
        }
        let jobs = self.jobs
        let handle = started.handle
        continuation.onTermination = { termination in
            if case .cancelled = termination { jobs.append(.abandon(handle)) }
        }
        // Before the CALL leaves: its first result may come at once.
        state.withLock { $0.progressSinks[handle.ticket] = continuation }
        try await send(started, on: target, logger: logger)
        return stream
    }

    // MARK: - Helpers

    static func encodeArgument(_ value: any Encodable) throws -> WAMPValue {
        do {
            return try WAMPValueEncoder().encode(value)
        } catch {
            throw WAMPSessionError(.invalidArgument, "cannot encode an argument of type \(type(of: value))", cause: error)
        }
    }
}
