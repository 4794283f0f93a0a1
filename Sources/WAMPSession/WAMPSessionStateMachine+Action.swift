import Transport

// What the state machine asks its driver to do, and the handles the actions name.

extension WAMPSessionStateMachine {
    /// One request as its requester knows it: the wire ID and a ticket unique for the session's
    /// life (IDs start again at 1 on each transport).
    struct RequestHandle: Hashable, Sendable {
        let id: WAMPID
        let ticket: UInt64
    }

    /// One running invocation: the dealer's INVOCATION request ID and a ticket unique for the
    /// session's life.
    struct InvocationHandle: Hashable, Sendable {
        let request: WAMPID
        let ticket: UInt64
    }

    /// A timer the machine asks for; it comes back as ``timerFired(_:)``.
    enum TimerKey: Hashable, Sendable, CustomStringConvertible {
        /// The join on the transport of `generation` (``WAMPSession/Configuration/joinTimeout``).
        case join(generation: Int)
        /// The leave in progress (``WAMPSession/Configuration/leaveTimeout``).
        case leave
        /// A call's ``WAMPCallOptions/timeout``.
        case request(RequestHandle)

        var description: String {
            switch self {
            case .join(let generation): "join \(generation)"
            case .leave: "leave"
            case .request(let handle): "request \(handle.id)"
            }
        }
    }

    /// A request started by the machine: the requester performs `actions`, sends `message`,
    /// then reports ``requestSent(_:)`` or ``requestNotSent(_:_:)``.
    struct Started: Sendable {
        let handle: RequestHandle
        let message: WAMPMessage
        let actions: [Action]
    }

    /// What the driver does after an event, in order.
    enum Action: Sendable, CustomStringConvertible {
        /// Sends a message on the transport of the event.
        case send(WAMPMessage)
        /// Sends an invocation's YIELD or ERROR; when that fails (too large for the router, say)
        /// sends ERROR `wamp.error.runtime_error` saying why, so the caller still gets an answer.
        case answer(WAMPMessage)
        /// Closes the transport of the event.
        case closeTransport
        /// Starts (or restarts) a timer; ``timerFired(_:)`` when it passes.
        case startTimer(TimerKey, Duration)
        /// Stops a timer.
        case cancelTimer(TimerKey)
        /// Resumes the requester waiting for this request.
        case resume(RequestHandle, Result<WAMPMessage, any Error>)
        /// Hands a result to a progressive call's sequence; when its buffer is full, report
        /// ``progressOverflowed(_:)``.
        case yieldProgress(RequestHandle, WAMPResult)
        /// Ends a progressive call's sequence, throwing the error when given.
        case finishProgress(RequestHandle, (any Error)?)
        /// Hands an event to a local subscription; when its buffer is full, report
        /// ``subscriptionOverflowed(_:)``.
        case deliver(token: Int, WAMPEvent)
        /// Ends a local subscription's sequence, throwing the error when given.
        case finishSubscription(token: Int, (any Error)?)
        /// Runs a procedure handler; report ``invocationCompleted(_:_:)``.
        case startInvocation(InvocationHandle, WAMPSession.Handler, WAMPInvocation)
        /// Cancels a running handler (INTERRUPT, or the session ended).
        case interruptInvocation(InvocationHandle)
        /// The first join succeeded or failed.
        case completeJoin(Result<Void, any Error>)
        /// Resumes the callers waiting in ``leave(reason:waitForGoodbye:)``.
        case completeLeave
        /// Publishes a life-cycle event.
        case emit(WAMPSessionEvent)
        /// Ends the life-cycle sequence.
        case finishLifecycle

        /// Whether the action starts or stops a timer.
        var isTimer: Bool {
            switch self {
            case .startTimer, .cancelTimer: true
            default: false
            }
        }

        var description: String {
            switch self {
            case .send(let message): "send \(message.type.name)\(message.requestID.map { " \($0)" } ?? "")"
            case .answer(let message): "answer \(message.type.name)\(message.requestID.map { " \($0)" } ?? "")"
            case .closeTransport: "close the transport"
            case .startTimer(let key, let duration): "start timer \(key) for \(duration)"
            case .cancelTimer(let key): "cancel timer \(key)"
            case .resume(let handle, .success(let message)): "resume request \(handle.id) with \(message.type.name)"
            case .resume(let handle, .failure(let error)): "resume request \(handle.id) throwing \(error)"
            case .yieldProgress(let handle, let result): "yield result \(result.args) to call \(handle.id)"
            case .finishProgress(let handle, nil): "finish call \(handle.id)"
            case .finishProgress(let handle, let error?): "finish call \(handle.id) throwing \(error)"
            case .deliver(let token, let event): "deliver event \(event.publication) to subscription \(token)"
            case .finishSubscription(let token, nil): "finish subscription \(token)"
            case .finishSubscription(let token, let error?): "finish subscription \(token) throwing \(error)"
            case .startInvocation(let handle, _, let invocation): "start invocation \(handle.request) of \(invocation.procedure)"
            case .interruptInvocation(let handle): "interrupt invocation \(handle.request)"
            case .completeJoin(.success): "complete the join"
            case .completeJoin(.failure(let error)): "fail the join: \(error)"
            case .completeLeave: "complete the leave"
            case .emit(let event): "emit \(event)"
            case .finishLifecycle: "finish the life cycle"
            }
        }
    }
}

extension WAMPMessage {
    /// The request ID a message carries, for descriptions.
    var requestID: WAMPID? {
        switch self {
        case .call(let m): m.request
        case .result(let m): m.request
        case .cancel(let m): m.request
        case .error(let m): m.request
        case .publish(let m): m.request
        case .published(let m): m.request
        case .subscribe(let m): m.request
        case .subscribed(let m): m.request
        case .unsubscribe(let m): m.request
        case .unsubscribed(let m): m.request
        case .register(let m): m.request
        case .registered(let m): m.request
        case .unregister(let m): m.request
        case .unregistered(let m): m.request
        case .invocation(let m): m.request
        case .interrupt(let m): m.request
        case .yield(let m): m.request
        default: nil
        }
    }
}
