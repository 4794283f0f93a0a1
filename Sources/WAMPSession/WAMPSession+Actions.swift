import Logging
import Synchronization
import Transport

// Feeding the state machine its events and performing the actions it returns.

extension WAMPSession {
    typealias Action = WAMPSessionStateMachine.Action
    typealias Target = (transport: any WAMPTransport, generation: Int)

    /// Feeds the state machine one event under the lock and performs the actions that follow,
    /// after the lock, on the transport that was current when the event came. The actions that
    /// wait for nothing (a reply that resumes its requester, an invocation queued, an event
    /// delivered: after a received message, the common case) are performed without an `await`,
    /// up to the first that sends or closes.
    ///
    /// Inlined into its callers, as are ``transmit(_:on:logger:)``, ``send(_:on:logger:)`` and
    /// ``request(_:on:logger:)``: each return from an async call is followed by a check of the
    /// task's executor, which looks the task's executor preference up under a lock (about 300
    /// instructions).
    @inline(__always) func feed(_ event: (inout WAMPSessionStateMachine) -> [Action]) async {
        let (actions, target) = state.withLock { state in
            (Self.applyTimers(event(&state.machine), to: &state), state.current)
        }
        var index = 0
        while index < actions.count {
            switch actions[index] {
            case .send, .answer, .closeTransport:
                await perform(actions[index...], on: target)
                return
            default:
                if let overflowed = performAtOnce(actions[index]) { await feedOverflow(overflowed) }
            }
            index += 1
        }
    }

    /// Feeds the event that a full progress or event buffer asks for: ``feed(_:)``, not inlined
    /// into itself.
    @inline(never) private func feedOverflow(_ event: (inout WAMPSessionStateMachine) -> [Action]) async {
        await feed(event)
    }

    /// Starts and stops the timers among `actions` in `state`, in the critical section of the
    /// event that asked for them (so that timers asked for by two events happening at once
    /// keep the machine's order), and returns the other actions.
    static func applyTimers(_ actions: [Action], to state: inout State) -> [Action] {
        // Most events start and stop no timer: their actions are returned as they are.
        guard actions.contains(where: { $0.isTimer }) else { return actions }
        var rest: [Action] = []
        for action in actions {
            switch action {
            case .startTimer(let key, let duration): state.timers.start(key, at: .now + duration)
            case .cancelTimer(let key): state.timers.cancel(key)
            default: rest.append(action)
            }
        }
        return rest
    }

    /// Performs `actions` in order, outside the lock; `target` is the transport they are about.
    func perform(_ actions: some Collection<Action>, on target: Target?) async {
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
                    let answer = state.withLock {
                        $0.machine.invocationError(request, WAMPError.runtimeErrorURI, "the result could not be sent: \(error)")
                    }
                    try? await target.transport.send(answer)
                }
            case .closeTransport:
                guard let target else { continue }
                state.withLock { state in
                    if state.current?.generation == target.generation { state.current = nil }
                }
                try? await target.transport.close()
            default:
                if let overflowed = performAtOnce(action) { await feedOverflow(overflowed) }
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
            state.withLock { $0.timers.start(key, at: .now + duration) }
        case .cancelTimer(let key):
            state.withLock { $0.timers.cancel(key) }
        case .resume(let request, let result):
            state.withLock { $0.waiters.removeValue(forKey: request.ticket) }?.resume(with: result)
        case .yieldProgress(let request, let result):
            let sink = state.withLock { $0.progressSinks[request.ticket] }
            if case .dropped = sink?.yield(result) { return { $0.progressOverflowed(request) } }
        case .finishProgress(let request, let error):
            state.withLock { $0.progressSinks.removeValue(forKey: request.ticket) }?.finish(throwing: error)
        case .deliver(let token, let event):
            let sink = state.withLock { $0.eventSinks[token] }
            if sink?.yield(event) == .dropped { return { $0.subscriptionOverflowed(token) } }
        case .finishSubscription(let token, let error):
            state.withLock { $0.eventSinks.removeValue(forKey: token) }?.finish(throwing: error)
        case .startInvocation(let invocation, let handler, let call):
            interrupts.add(invocation.ticket)
            jobs.append(.invocation(invocation, handler, call))
        case .interruptInvocation(let invocation):
            interrupts.interrupt(invocation.ticket)
        case .completeJoin(let result):
            if case .failure(let error) = result { logger.warning("could not join realm: \(error)") }
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let waiter = state.joinWaiter else {
                    state.joinResult = result
                    return nil
                }
                state.joinWaiter = nil
                return waiter
            }
            waiter?.resume(with: result)
        case .completeLeave:
            let waiting = state.withLock { state in
                defer { state.leaveWaiters = [] }
                return state.leaveWaiters
            }
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

    /// Sends `message` on `transport`, logging it at trace level: without an asynchronous call
    /// when the transport takes it at once (on its event loop, writable). Inlined: see
    /// ``feed(_:)``.
    @inline(__always) func transmit(_ message: WAMPMessage, on transport: any WAMPTransport, logger: Logger) async throws {
        if try !transport.sendWithoutWaiting(message) { try await transport.send(message) }
        logger.trace("sent", metadata: Self.metadata(message))
    }

    /// The trace metadata of a message: its type and request ID.
    static func metadata(_ message: WAMPMessage) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["wamp.message": "\(message.type.name)"]
        if let request = message.requestID { metadata["wamp.request"] = "\(request)" }
        return metadata
    }
}
