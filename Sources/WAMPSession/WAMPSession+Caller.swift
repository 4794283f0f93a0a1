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
    ///   ``WAMPSessionError/Code/connectionLost``, ...); the transport's send error.
    public func call(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init()
    ) async throws -> WAMPResult {
        _ = try establishedTransport()
        let id = ids.next()
        let message = WAMPMessage.call(.init(request: id, options: options.extra, procedure: procedure, payload: .arguments(args, kwargs)))
        let reply = try await request(id, message, type: .call, options: options)
        guard case .result(let result) = reply else {
            throw WAMPSessionError(.protocolViolation, "\(reply.type.name) in reply to CALL \(id)")
        }
        return WAMPResult(result.payload, details: result.details)
    }

    /// Calls a procedure with `Encodable` arguments and decodes its result.
    ///
    /// ```swift
    /// let sum: Int = try await session.call("com.example.add", 2, 3)
    /// ```
    ///
    /// - Throws: as ``call(_:args:kwargs:options:)``; ``WAMPSessionError/Code/invalidArgument``
    ///   when an argument does not encode or the result does not decode as `R`.
    public nonisolated func call<R: Decodable>(
        _ procedure: String, _ arguments: any Encodable..., returning: R.Type = R.self,
        options: WAMPCallOptions = .init()
    ) async throws -> R {
        let args = try arguments.map(Self.encodeArgument)
        return try await call(procedure, args: args, options: options).decode(R.self)
    }

    /// Calls a procedure asking for progressive results: the sequence yields each progressive
    /// result, then the final result, and finishes (or throws the call's error). Dropping the
    /// sequence or cancelling its reader before the end sends CANCEL.
    public func progressiveCall(
        _ procedure: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:],
        options: WAMPCallOptions = .init()
    ) async throws -> AsyncThrowingStream<WAMPResult, any Error> {
        let transport = try establishedTransport()
        let id = ids.next()
        var callOptions = options.extra
        callOptions["receive_progress"] = true
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WAMPResult.self, bufferingPolicy: .bufferingOldest(max(1, configuration.eventBufferLimit)))
        pending.insert(PendingRequest(sink: .stream(continuation), cancelMode: options.cancelMode), id: id, type: .call)
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { Task { await self?.abandonCall(id, CancellationError()) } }
        }
        if let timeout = options.timeout {
            pending[id]?.timer = Task { [weak self] in
                do { try await Task.sleep(for: timeout) } catch { return }
                await self?.abandonCall(id, WAMPSessionError(.callTimedOut, "call \(id) got no final result within \(timeout); it was canceled"))
            }
        }
        do {
            try await transport.send(.call(.init(request: id, options: callOptions, procedure: procedure, payload: .arguments(args, kwargs))))
        } catch {
            pending.remove(id)?.timer?.cancel()
            continuation.finish(throwing: error)
            throw error
        }
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
