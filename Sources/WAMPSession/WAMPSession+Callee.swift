public import Transport

// The callee role: REGISTER, INVOCATION, YIELD, INTERRUPT, UNREGISTER.

extension WAMPSession {
    // MARK: - Callee

    struct LocalRegistration {
        let procedure: String
        let options: [String: WAMPValue]
        let handler: Handler
        var routerID: WAMPID?
    }

    /// Registers a procedure. Each INVOCATION runs `handler` in its own task; its return value
    /// is sent as YIELD, a thrown ``WAMPError`` as that ERROR, any other thrown error as ERROR
    /// `wamp.error.runtime_error`. An INTERRUPT cancels the handler's task.
    ///
    /// - Throws: ``WAMPError`` when the dealer refuses (`wamp.error.procedure_already_exists`, ...);
    ///   ``WAMPSessionError``.
    @discardableResult
    public func register(
        _ procedure: String, options: [String: WAMPValue] = [:], handler: @escaping Handler
    ) async throws -> WAMPRegistration {
        _ = try establishedTransport()
        let token = nextToken
        nextToken += 1
        registrations[token] = LocalRegistration(procedure: procedure, options: options, handler: handler)
        let id = ids.next()
        do {
            _ = try await request(id, .register(.init(request: id, options: options, procedure: procedure)), type: .register, token: token)
        } catch {
            registrations[token] = nil
            throw error
        }
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
    public nonisolated func register<R: Encodable & Sendable>(
        _ procedure: String, options: [String: WAMPValue] = [:],
        handler: @escaping @Sendable (WAMPInvocation) async throws -> R
    ) async throws -> WAMPRegistration {
        try await register(procedure, options: options) { invocation -> WAMPResult in
            try WAMPResult(encoding: try await handler(invocation))
        }
    }

    func unregister(token: Int) async throws {
        guard let registration = registrations.removeValue(forKey: token) else { return }
        guard let routerID = registration.routerID else { return }
        registrationTokens[routerID] = nil
        guard case .established = state else { return }
        let id = ids.next()
        _ = try await request(id, .unregister(.init(request: id, registration: routerID)), type: .unregister)
    }

    func invoke(_ invocation: WAMPMessage.Invocation) async {
        guard let token = registrationTokens[invocation.registration], let registration = registrations[token] else {
            try? await transport?.send(.error(.init(
                requestType: .invocation, request: invocation.request, error: WAMPError.noSuchRegistrationURI,
                payload: .arguments([.string("no registration \(invocation.registration) in this session")], [:]))))
            return
        }
        let limit = configuration.maxConcurrentInvocations
        guard invocations.count < limit else {
            try? await transport?.send(.error(.init(
                requestType: .invocation, request: invocation.request, error: WAMPError.runtimeErrorURI,
                payload: .arguments([.string("this callee already runs \(limit) invocations, its maxConcurrentInvocations")], [:]))))
            return
        }
        let request = invocation.request
        let current = generation
        let call = WAMPInvocation(
            procedure: invocation.details["procedure"]?.stringValue ?? registration.procedure, request: request,
            args: invocation.args, kwargs: invocation.kwargs, details: invocation.details)
        let handler = registration.handler
        invocations[request] = Task {
            let result: Result<WAMPResult, any Error>
            do {
                result = .success(try await handler(call))
            } catch {
                result = .failure(error)
            }
            await self.completeInvocation(request, result, generation: current)
        }
    }

    func completeInvocation(_ request: WAMPID, _ result: Result<WAMPResult, any Error>, generation: Int) async {
        guard generation == self.generation, invocations.removeValue(forKey: request) != nil else { return }
        let wasInterrupted = interrupted.remove(request) != nil
        guard case .established = state, let transport else { return }
        let answer: WAMPMessage
        switch result {
        case .success(let value):
            answer = .yield(.init(request: request, payload: value.payload))
        case .failure(let error as WAMPError):
            answer = .error(.init(requestType: .invocation, request: request, details: error.details, error: error.uri,
                                  payload: .arguments(error.args, error.kwargs)))
        case .failure(let error):
            if wasInterrupted || error is CancellationError {
                answer = .error(.init(requestType: .invocation, request: request, error: WAMPError.canceledURI))
            } else {
                answer = .error(.init(requestType: .invocation, request: request, error: WAMPError.runtimeErrorURI,
                                      payload: .arguments([.string("\(error)")], [:])))
            }
        }
        do {
            try await transport.send(answer)
        } catch {
            // A result too large for the peer, say: the caller still gets an answer.
            try? await transport.send(.error(.init(
                requestType: .invocation, request: request, error: WAMPError.runtimeErrorURI,
                payload: .arguments([.string("the result could not be sent: \(error)")], [:]))))
        }
    }
}
