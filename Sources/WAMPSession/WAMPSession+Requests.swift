import Transport

// Requests awaiting replies: sending, matching replies, giving calls up.

extension WAMPSession {
    // MARK: - Requests

    struct PendingRequest {
        enum Sink {
            /// A requester waits (or will wait: `nil` until it does).
            case waiting(CheckedContinuation<WAMPMessage, any Error>?)
            /// The reply came before the requester waited.
            case arrived(Result<WAMPMessage, any Error>)
            /// A progressive call's results.
            case stream(AsyncThrowingStream<WAMPResult, any Error>.Continuation)
        }

        var sink: Sink
        /// The subscription or registration bound when SUBSCRIBED or REGISTERED arrives.
        var token: Int?
        var cancelMode: WAMPCallOptions.CancelMode = .killNoWait
        var timer: Task<Void, Never>?
    }

    func establishedTransport() throws -> any WAMPTransport {
        guard case .established = state, let transport else {
            throw WAMPSessionError(.notJoined, "the session is not joined to realm \"\(realm)\" (\(state))")
        }
        return transport
    }

    /// Sends a request and waits for its reply.
    func request(
        _ id: WAMPID, _ message: WAMPMessage, type: WAMPMessageType, token: Int? = nil,
        options: WAMPCallOptions? = nil
    ) async throws -> WAMPMessage {
        let transport = try establishedTransport()
        pending.insert(
            PendingRequest(sink: .waiting(nil), token: token, cancelMode: options?.cancelMode ?? .killNoWait), id: id, type: type)
        if let timeout = options?.timeout {
            pending[id]?.timer = Task { [weak self] in
                do { try await Task.sleep(for: timeout) } catch { return }
                await self?.abandonCall(id, WAMPSessionError(.callTimedOut, "call \(id) got no result within \(timeout); it was canceled"))
            }
        }
        do {
            try await transport.send(message)
        } catch {
            pending.remove(id)?.timer?.cancel()
            undelivered[id] = nil
            throw error
        }
        let wait = {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WAMPMessage, any Error>) in
                if let outcome = self.undelivered.removeValue(forKey: id) {
                    continuation.resume(with: outcome)
                    return
                }
                guard let request = self.pending[id] else {
                    continuation.resume(throwing: self.endError ?? WAMPSessionError(.sessionClosed, "request \(id) was dropped"))
                    return
                }
                if case .arrived(let result) = request.sink {
                    self.pending[id] = nil
                    request.timer?.cancel()
                    continuation.resume(with: result)
                } else {
                    self.pending[id]?.sink = .waiting(continuation)
                }
            }
        }
        guard type == .call else { return try await wait() }
        return try await withTaskCancellationHandler {
            try await wait()
        } onCancel: {
            Task { await self.abandonCall(id, CancellationError()) }
        }
    }

    /// Delivers a reply (or an ERROR) to the pending request `id` of type `type`.
    func reply(_ id: WAMPID, _ result: Result<WAMPMessage, any Error>, for type: WAMPMessageType, final: Bool = true) async {
        let what: String
        switch result {
        case .success(let message): what = message.type.name
        case .failure: what = "ERROR"
        }
        var request: PendingRequest
        switch pending.match(id, replyTo: type, final: final, what: what) {
        case .pending(let entry): request = entry
        case .late: return
        case .unexpected(let text):
            await protocolViolation(text)
            return
        }
        if case .success(let message) = result { bind(message, token: request.token) }
        switch request.sink {
        case .waiting(let continuation?):
            pending[id] = nil
            request.timer?.cancel()
            continuation.resume(with: result)
        case .waiting(nil):
            request.sink = .arrived(result)
            pending[id] = request
        case .arrived:
            await protocolViolation("a second reply for request \(id)")
        case .stream(let stream):
            switch result {
            case .success(.result(let message)):
                if case .dropped = stream.yield(WAMPResult(message.payload, details: message.details)) {
                    let limit = configuration.eventBufferLimit
                    await abandonCall(id, WAMPSessionError(
                        .eventBufferOverflow, "more than \(limit) progressive results of call \(id) were not read; it was canceled"))
                    return
                }
                if final {
                    pending[id] = nil
                    request.timer?.cancel()
                    stream.finish()
                }
            case .success(let other):
                pending[id] = nil
                stream.finish(throwing: WAMPSessionError(.protocolViolation, "unexpected \(other.type.name) for call \(id)"))
            case .failure(let error):
                pending[id] = nil
                request.timer?.cancel()
                stream.finish(throwing: error)
            }
        }
    }

    /// Binds a subscription or registration to its router ID the moment the reply arrives, so
    /// that an EVENT or INVOCATION right behind it is not missed.
    func bind(_ message: WAMPMessage, token: Int?) {
        guard let token else { return }
        switch message {
        case .subscribed(let subscribed) where subscriptions[token] != nil:
            subscriptions[token]?.routerID = subscribed.subscription
            subscribers[subscribed.subscription, default: []].insert(token)
        case .registered(let registered) where registrations[token] != nil:
            registrations[token]?.routerID = registered.registration
            registrationTokens[registered.registration] = token
        default:
            break
        }
    }

    /// Gives a call up locally (task cancelled, timeout, progressive stream dropped): CANCEL
    /// is sent, the caller gets `error` at once, a late RESULT or ERROR is ignored.
    func abandonCall(_ id: WAMPID, _ error: any Error) async {
        guard let request = pending.abandonCall(id) else { return }
        request.timer?.cancel()
        switch request.sink {
        case .waiting(let continuation?):
            continuation.resume(throwing: error)
        case .waiting(nil):
            // The requester still sends (back-pressure): it finds the error when it waits. The
            // call is no longer pending, so the dealer's reply is late, not a second reply.
            undelivered[id] = .failure(error)
        case .arrived(let result):
            undelivered[id] = result
            pending.forgetAbandoned(id)
            return
        case .stream(let stream):
            stream.finish(throwing: error)
        }
        if case .established = state {
            try? await transport?.send(.cancel(.init(request: id, options: ["mode": .string(request.cancelMode.rawValue)])))
        }
    }

    /// Fails every pending request with `error`. A requester still sending its request finds
    /// its entry gone and gets `error` from ``endError``.
    func failAllPending(_ error: any Error) {
        endError = error
        for request in pending.removeAll() {
            request.timer?.cancel()
            switch request.sink {
            case .waiting(let continuation?): continuation.resume(throwing: error)
            case .waiting(nil), .arrived: break
            case .stream(let stream): stream.finish(throwing: error)
            }
        }
    }
}
