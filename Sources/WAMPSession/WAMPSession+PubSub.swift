public import Transport

// The publisher and subscriber roles: PUBLISH, SUBSCRIBE, EVENT, UNSUBSCRIBE.

extension WAMPSession {
    // MARK: - Publisher

    /// Publishes an event. With `acknowledge`, waits for PUBLISHED and returns the publication
    /// ID; without, returns `nil` once the message is sent.
    ///
    /// - Throws: ``WAMPError`` (acknowledged publications only: not authorized, invalid topic);
    ///   ``WAMPSessionError`` (``WAMPSessionError/Code/protocolViolation`` for a reply that is
    ///   not PUBLISHED, ...); the transport's send error.
    @discardableResult
    public func publish(
        _ topic: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:], acknowledge: Bool = false,
        options: [String: WAMPValue] = [:]
    ) async throws -> WAMPID? {
        let transport = try establishedTransport()
        let id = ids.next()
        var publishOptions = options
        if acknowledge { publishOptions["acknowledge"] = true }
        let message = WAMPMessage.publish(.init(request: id, options: publishOptions, topic: topic, payload: .arguments(args, kwargs)))
        guard acknowledge else {
            try await transport.send(message)
            return nil
        }
        let reply = try await request(id, message, type: .publish)
        return try Self.publication(from: reply, request: id)
    }

    /// The publication ID in the reply to an acknowledged PUBLISH.
    ///
    /// - Throws: ``WAMPSessionError/Code/protocolViolation`` for any reply but PUBLISHED, as
    ///   ``call(_:args:kwargs:options:)`` does for any reply but RESULT.
    static func publication(from reply: WAMPMessage, request id: WAMPID) throws -> WAMPID {
        guard case .published(let published) = reply else {
            throw WAMPSessionError(.protocolViolation, "\(reply.type.name) in reply to PUBLISH \(id)")
        }
        return published.publication
    }

    /// Publishes an `Encodable` value: a list becomes the positional arguments, a struct or
    /// dictionary the keyword arguments, anything else the one argument.
    @discardableResult
    public nonisolated func publish<T: Encodable>(
        _ topic: String, encoding value: T, acknowledge: Bool = false
    ) async throws -> WAMPID? {
        let result = try WAMPResult(encoding: value)
        return try await publish(topic, args: result.args, kwargs: result.kwargs, acknowledge: acknowledge)
    }

    // MARK: - Subscriber

    struct LocalSubscription {
        let topic: String
        let options: [String: WAMPValue]
        let continuation: AsyncThrowingStream<WAMPEvent, any Error>.Continuation
        var routerID: WAMPID?
    }

    /// Subscribes to a topic; the events arrive on the returned sequence.
    ///
    /// - Throws: ``WAMPError`` when the broker refuses; ``WAMPSessionError``.
    public func subscribe(_ topic: String, options: [String: WAMPValue] = [:]) async throws -> WAMPSubscription {
        _ = try establishedTransport()
        let token = nextToken
        nextToken += 1
        let (events, continuation) = AsyncThrowingStream.makeStream(
            of: WAMPEvent.self, bufferingPolicy: .bufferingOldest(max(1, configuration.eventBufferLimit)))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { Task { try? await self?.unsubscribe(token: token) } }
        }
        subscriptions[token] = LocalSubscription(topic: topic, options: options, continuation: continuation)
        let id = ids.next()
        do {
            _ = try await request(id, .subscribe(.init(request: id, options: options, topic: topic)), type: .subscribe, token: token)
        } catch {
            subscriptions[token] = nil
            continuation.finish(throwing: error)
            throw error
        }
        return WAMPSubscription(topic: topic, events: events, token: token, session: self)
    }

    func unsubscribe(token: Int) async throws {
        guard let subscription = subscriptions.removeValue(forKey: token) else { return }
        subscription.continuation.finish()
        guard let routerID = subscription.routerID else { return }
        subscribers[routerID]?.remove(token)
        guard subscribers[routerID]?.isEmpty == true else { return }
        subscribers[routerID] = nil
        guard case .established = state else { return }
        let id = ids.next()
        _ = try await request(id, .unsubscribe(.init(request: id, subscription: routerID)), type: .unsubscribe)
    }

    func deliver(_ message: WAMPMessage.Event) {
        guard let tokens = subscribers[message.subscription] else { return }  // e.g. just unsubscribed
        for token in tokens {
            guard let subscription = subscriptions[token] else { continue }
            let event = WAMPEvent(
                topic: subscription.topic, publication: message.publication, args: message.args, kwargs: message.kwargs,
                details: message.details)
            if case .dropped = subscription.continuation.yield(event) {
                let limit = configuration.eventBufferLimit
                subscription.continuation.finish(
                    throwing: WAMPSessionError(.eventBufferOverflow, "more than \(limit) events of \(subscription.topic) were not read"))
                Task { try? await self.unsubscribe(token: token) }
            }
        }
    }

    func revokeSubscription(_ details: [String: WAMPValue]) {
        guard let id = details["subscription"]?.uint64Value, let tokens = subscribers.removeValue(forKey: id) else { return }
        let reason = details["reason"]?.stringValue ?? "revoked"
        for token in tokens {
            subscriptions.removeValue(forKey: token)?.continuation.finish(
                throwing: WAMPSessionError(.sessionClosed, "the router revoked the subscription: \(reason)", reason: reason, details: details))
        }
    }
}
