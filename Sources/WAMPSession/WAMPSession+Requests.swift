import Logging
import Synchronization
import Transport

// Sending the requests the state machine starts and waiting for their replies.

extension WAMPSession {
    typealias Started = WAMPSessionStateMachine.Started

    /// The error of a request made while the session has no transport.
    var noTransport: WAMPSessionError {
        WAMPSessionError(.notJoined, "the session has no transport to realm \"\(realm)\"")
    }

    /// Performs a started request's actions and sends its message on `target` (the transport
    /// current when the request started); when that fails, the machine drops the request.
    /// Inlined: see ``feed(_:)``.
    @inline(__always) func send(_ started: Started, on target: Target?, logger: Logger) async throws {
        if !started.actions.isEmpty { await perform(started.actions, on: target) }
        do {
            guard let target else { throw noTransport }
            try await transmit(started.message, on: target.transport, logger: logger)
            metrics.sent(started.message)
        } catch {
            logger.warning("\(started.message.type.name) could not be sent: \(error)", metadata: Self.metadata(started.message))
            await feed { $0.requestNotSent(started.handle, error) }
            throw error
        }
    }

    /// Sends a started request and waits for its reply. Inlined: see ``feed(_:)``.
    @inline(__always) func request(_ started: Started, on target: Target?, logger: Logger) async throws -> WAMPMessage {
        try await send(started, on: target, logger: logger)
        do {
            let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WAMPMessage, any Error>) in
                let known = state.withLock { state -> Result<WAMPMessage, any Error>? in
                    switch state.machine.requestSent(started.handle) {
                    case .wait:
                        state.waiters[started.handle.ticket] = continuation
                        return nil
                    case .complete(let result):
                        return result
                    }
                }
                if let known { continuation.resume(with: known) }
            }
            logger.trace("reply", metadata: Self.metadata(reply))
            return reply
        } catch {
            var metadata = Self.metadata(started.message)
            metadata["wamp.error"] = "\(error)"
            switch error {
            case is WAMPError, is CancellationError: logger.trace("request failed", metadata: metadata)
            default: logger.warning("request failed", metadata: metadata)
            }
            throw error
        }
    }

    /// Starts a request on the state machine under the lock (its timers started there too);
    /// returns it with the transport it goes on.
    func start(_ request: (inout WAMPSessionStateMachine) throws -> Started) rethrows -> (Started, Target?) {
        try state.withLock { state in
            let started = try request(&state.machine)
            let actions = Self.applyTimers(started.actions, to: &state)
            return (Started(handle: started.handle, message: started.message, actions: actions), state.current)
        }
    }

    /// ``request(_:on:logger:)`` for a call: cancelling the calling task gives the call up (CANCEL).
    func cancellableRequest(_ started: Started, on target: Target?, logger: Logger) async throws -> WAMPMessage {
        let jobs = self.jobs
        let handle = started.handle
        return try await withTaskCancellationHandler {
            try await request(started, on: target, logger: logger)
        } onCancel: {
            jobs.append(.abandon(handle))
        }
    }

    /// The reply to request `id` (a `request` such as "CALL") as `T`.
    ///
    /// - Throws: ``WAMPSessionError/Code/protocolViolation`` naming the reply when `extract`
    ///   finds nothing in it.
    static func expectReply<T>(_ reply: WAMPMessage, to request: String, _ id: WAMPID, _ extract: (WAMPMessage) -> T?) throws -> T {
        guard let value = extract(reply) else {
            throw WAMPSessionError(.protocolViolation, "\(reply.type.name) in reply to \(request) \(id)")
        }
        return value
    }
}
