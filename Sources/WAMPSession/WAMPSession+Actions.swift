import Logging
import Transport

// Feeding the state machine its events and performing the actions it returns.

extension WAMPSession {
    typealias Action = WAMPSessionStateMachine.Action
    typealias Target = (transport: any WAMPTransport, generation: Int)

    /// Feeds the state machine one event and performs the actions that follow, on the transport
    /// that was current when the event came.
    ///
    /// Inlined into its callers, as are ``transmit(_:on:logger:)``, ``send(_:logger:)`` and
    /// ``request(_:logger:)``: an async method of the actor starts with a switch to the actor,
    /// which looks the task's executor preference up under a lock even when the caller is on
    /// the actor already (about 1% of the client's instructions per call for these four).
    @inline(__always) func feed(_ event: (inout WAMPSessionStateMachine) -> [Action]) async {
        let target = current
        let actions = event(&machine)
        await perform(actions, on: target)
    }

    /// Performs `actions` in order; `target` is the transport they are about.
    func perform(_ actions: [Action], on target: Target?) async {
        for action in actions {
            switch action {
            case .send(let message):
                guard let target else { continue }
                do {
                    try await transmit(message, on: target.transport, logger: logger)
                } catch {
                    logger.debug("\(message.type.name) could not be sent: \(error)")
                    await feed { $0.sendFailed(error, generation: target.generation) }
                }
            case .answer(let message):
                guard let target else { continue }
                do {
                    try await transmit(message, on: target.transport, logger: logger)
                } catch {
                    // A result too large for the router, say: the caller still gets an answer.
                    logger.warning("the answer to an invocation could not be sent: \(error)", metadata: Self.metadata(message))
                    let request = message.requestID ?? 0
                    try? await target.transport.send(
                        machine.invocationError(request, WAMPError.runtimeErrorURI, "the result could not be sent: \(error)"))
                }
            case .closeTransport:
                guard let target else { continue }
                if current?.generation == target.generation { current = nil }
                try? await target.transport.close()
            default:
                if let overflowed = performAtOnce(action) { await feed(overflowed) }
            }
        }
    }

    /// Performs an action that waits for nothing; returns the event to feed when a progress or
    /// event buffer was full.
    ///
    /// Kept out of ``perform(_:on:)`` on purpose: an async function allocates each local of a
    /// type whose size is known only at run time (`ContinuousClock.Instant`, a continuation) with
    /// `swift_task_alloc` on every call, whichever case runs, which cost about 30 allocations per
    /// batch of actions. A synchronous function keeps them on the thread's stack.
    private func performAtOnce(_ action: Action) -> ((inout WAMPSessionStateMachine) -> [Action])? {
        switch action {
        case .send, .answer, .closeTransport:
            preconditionFailure("\(action) is performed by perform(_:on:)")
        case .startTimer(let key, let duration):
            timers.start(key, at: .now + duration)
        case .cancelTimer(let key):
            timers.cancel(key)
        case .resume(let request, let result):
            waiters.removeValue(forKey: request.ticket)?.resume(with: result)
        case .yieldProgress(let request, let result):
            if case .dropped = progressSinks[request.ticket]?.yield(result) { return { $0.progressOverflowed(request) } }
        case .finishProgress(let request, let error):
            progressSinks.removeValue(forKey: request.ticket)?.finish(throwing: error)
        case .deliver(let token, let event):
            if eventSinks[token]?.yield(event) == .dropped { return { $0.subscriptionOverflowed(token) } }
        case .finishSubscription(let token, let error):
            eventSinks.removeValue(forKey: token)?.finish(throwing: error)
        case .startInvocation(let invocation, let handler, let call):
            interrupts.add(invocation.ticket)
            jobs.append(.invocation(invocation, handler, call))
        case .interruptInvocation(let invocation):
            interrupts.interrupt(invocation.ticket)
        case .completeJoin(let result):
            if case .failure(let error) = result { logger.warning("could not join realm: \(error)") }
            if let joinWaiter {
                self.joinWaiter = nil
                joinWaiter.resume(with: result)
            } else {
                joinResult = result
            }
        case .completeLeave:
            let waiting = leaveWaiters
            leaveWaiters = []
            for waiter in waiting { waiter.resume() }
        case .emit(let event):
            switch event {
            case .disconnected, .reconnectFailed: logger.warning("\(event)")
            case .joined(let session): logger.debug("\(event)", metadata: ["wamp.session": "\(session)"])
            case .reconnecting, .restored, .closed: logger.debug("\(event)")
            }
            lifecycleContinuation.yield(event)
        case .finishLifecycle:
            lifecycleContinuation.finish()
        }
        return nil
    }

    /// Sends `message` on `transport`, logging it at trace level. Inlined: see ``feed(_:)``.
    @inline(__always) func transmit(_ message: WAMPMessage, on transport: any WAMPTransport, logger: Logger) async throws {
        try await transport.send(message)
        logger.trace("sent", metadata: Self.metadata(message))
    }

    /// The trace metadata of a message: its type and request ID.
    static func metadata(_ message: WAMPMessage) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["wamp.message": "\(message.type.name)"]
        if let request = message.requestID { metadata["wamp.request"] = "\(request)" }
        return metadata
    }
}
