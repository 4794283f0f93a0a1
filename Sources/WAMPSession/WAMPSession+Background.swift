import Logging
import Synchronization
import Transport

// The session's background work, all in child tasks of its scope: the connection loop (reading,
// reconnecting), the timer loop, and the jobs (cancelled calls, dropped subscriptions, handlers).

extension WAMPSession {
    /// Work for a child task of the session's scope.
    enum Job: Sendable {
        /// Gives a call up: its task was cancelled, or its progressive sequence dropped.
        case abandon(WAMPSessionStateMachine.RequestHandle)
        /// A subscription's sequence was dropped or its reader cancelled.
        case subscriptionDropped(token: Int)
        /// Runs a procedure handler until it returns; INTERRUPT cancels its task.
        case invocation(WAMPSessionStateMachine.InvocationHandle, Handler, WAMPInvocation)
        /// Answers an invocation whose handler's task was cancelled (INTERRUPT): the answer is
        /// sent from a task that is not, so that a send that must wait for the connection is
        /// not cut short.
        case answerInterrupted(WAMPSessionStateMachine.InvocationHandle, Result<WAMPResult, any Error>)
    }

    /// Runs the background work until the scope cancels it, then closes the session if it is
    /// not closed yet (so that no requester, join or leave waits forever).
    func runBackground(first: (any WAMPTransport)?) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runConnections(first: first) }
            group.addTask { await self.runTimers() }
            while let job = await jobs.next() {
                group.addTask { await self.run(job) }
            }
            group.cancelAll()
        }
        await feed { $0.shutdown() }
    }

    /// Opens transports (`first`, else the connector's) and serves each until it ends, for as
    /// long as the state machine wants one: the first join, then reconnections with backoff.
    func runConnections(first: (any WAMPTransport)?) async {
        var first = first
        while !Task.isCancelled {
            let (next, actions) = state.withLock { state in
                let (next, actions) = state.machine.nextConnection()
                return (next, Self.applyTimers(actions, to: &state))
            }
            await perform(actions, on: nil)
            guard case .connect(let delay) = next else { return }
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return }
            }
            let transport: any WAMPTransport
            if let given = first {
                transport = given
                first = nil
            } else if let connector {
                do {
                    transport = try await connector()
                } catch {
                    guard !Task.isCancelled else { return }
                    await feed { $0.connectFailed(error) }
                    continue
                }
            } else {
                return
            }
            await serve(transport)
        }
    }

    /// Joins over `transport` and reads it until it ends; each message is an event of the
    /// state machine.
    func serve<T: WAMPTransport>(_ transport: T) async {
        let opened = state.withLock { state -> (actions: [Action], target: Target)? in
            guard let actions = state.machine.transportOpened() else { return nil }
            let target = (transport: transport as any WAMPTransport, generation: state.machine.generation)
            state.current = target
            return (Self.applyTimers(actions, to: &state), target)
        }
        guard let opened else {
            try? await transport.close()  // the session left while the connector ran
            return
        }
        let generation = opened.target.generation
        logger.debug("joining realm", metadata: ["wamp.transport": "\(generation)"])
        await perform(opened.actions, on: opened.target)
        var failure: (any Error)?
        do {
            if let inbound = transport.inbound as? WAMPMessageSequence {
                // A transport on SwiftNIO: the messages already received are taken without an
                // asynchronous call each.
                var messages = inbound.makeAsyncIterator()
                while true {
                    let message: WAMPMessage
                    if let taken = try messages.nextWithoutWaiting() {
                        message = taken
                    } else {
                        guard let next = try await messages.next() else { break }
                        message = next
                    }
                    await received(message, generation: generation)
                }
            } else {
                for try await message in transport.inbound { await received(message, generation: generation) }
            }
        } catch {
            failure = error
        }
        // Cancelled: the scope ends, and closes the session itself.
        if !Task.isCancelled { await feed { $0.transportClosed(failure, generation: generation) } }
        state.withLock { state in
            if state.current?.generation == generation { state.current = nil }
        }
        try? await transport.close()
    }

    /// Feeds a received message to the state machine. Inlined: see ``feed(_:)``.
    @inline(__always) private func received(_ message: WAMPMessage, generation: Int) async {
        logger.trace("received", metadata: Self.metadata(message))
        metrics.received(message)
        await feed { $0.received(message, generation: generation) }
    }

    /// Fires the timers the state machine started, each at its deadline.
    func runTimers() async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let now = clock.now
            for key in state.withLock({ $0.timers.removeDue(at: now) }) {
                await feed { $0.timerFired(key) }
            }
            // Sleep until the earliest deadline, or until a timer due earlier starts.
            let wakeUp = OneShotSignal()
            let planned = state.withLock { state in
                let planned = state.timers.earliest
                state.timers.planned = planned
                state.timers.wakeUp = wakeUp
                return planned
            }
            await withTaskGroup(of: Void.self) { group in
                if let planned { group.addTask { try? await clock.sleep(until: planned) } }
                group.addTask { await wakeUp.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        state.withLock { $0.timers.wakeUp = nil }
    }

    /// Runs `job` in its own child task.
    ///
    /// Only the invocation's path is inlined here: the job's frame is the first allocation of a
    /// new task, and a frame that does not fit in the task's first slab of memory costs a
    /// `malloc` and a `free` of a slab on every invocation.
    func run(_ job: Job) async {
        switch job {
        case .invocation(let invocation, let handler, let call):
            let result = await Self.runHandler(handler, call, ticket: invocation.ticket, interrupts: interrupts)
            if Task.isCancelled {
                jobs.append(.answerInterrupted(invocation, result))
            } else {
                await feed { $0.invocationCompleted(invocation, result) }
            }
        default:
            await runRarely(job)
        }
    }

    /// The jobs other than invocations.
    @inline(never) private func runRarely(_ job: Job) async {
        switch job {
        case .abandon(let request):
            await feed { $0.abandon(request, CancellationError()) }
        case .subscriptionDropped(let token):
            await feed { $0.subscriptionDropped(token) }
        case .answerInterrupted(let invocation, let result):
            await feed { $0.invocationCompleted(invocation, result) }
        case .invocation:
            preconditionFailure("invocations are run by run(_:)")
        }
    }

    /// Runs `handler` in the job's task; INTERRUPT for `ticket` cancels the task (see
    /// ``InvocationInterrupts``). Inlined: see ``feed(_:)``.
    @inline(__always) static func runHandler(
        _ handler: @escaping Handler, _ invocation: WAMPInvocation, ticket: UInt64, interrupts: InvocationInterrupts
    ) async -> Result<WAMPResult, any Error> {
        await withUnsafeCurrentTask { task in
            // The reference is in the table only while this closure runs
            // (see InvocationInterrupts.HandlerTask).
            if let task { interrupts.started(ticket, InvocationInterrupts.HandlerTask(task)) }
            defer { interrupts.returned(ticket) }
            do { return .success(try await handler(invocation)) } catch { return .failure(error) }
        }
    }
}
