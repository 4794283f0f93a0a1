public import Logging
public import Transport

// The publisher and subscriber roles: PUBLISH, SUBSCRIBE, EVENT, UNSUBSCRIBE.

extension WAMPSession {
    // MARK: - Publisher

    /// Publishes an event. With `acknowledge`, waits for PUBLISHED and returns the publication
    /// ID; without, returns `nil` once the message is sent.
    ///
    /// - Throws: ``WAMPError`` (acknowledged publications only: not authorized, invalid topic);
    ///   ``WAMPSessionError`` (``WAMPSessionError/Code/protocolViolation`` for a reply that is
    ///   not PUBLISHED, as ``call(_:args:kwargs:options:logger:)`` for one that is not RESULT;
    ///   ``WAMPSessionError/Code/notJoined``, ...); the transport's send error.
    @discardableResult
    public func publish(
        _ topic: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:], acknowledge: Bool = false,
        options: [String: WAMPValue] = [:], logger: Logger? = nil
    ) async throws -> WAMPID? {
        let logger = logger ?? self.logger
        let target = current
        let (message, request) = try machine.publish(topic, args: args, kwargs: kwargs, options: options, acknowledge: acknowledge)
        guard let request else {
            guard let target else { throw noTransport }
            try await transmit(message, on: target.transport, logger: logger)
            return nil
        }
        let reply = try await self.request(request, logger: logger)
        return try Self.publication(from: reply, request: request.handle.id)
    }

    /// Publishes an `Encodable` value: a list becomes the positional arguments, a struct or
    /// dictionary the keyword arguments, anything else the one argument.
    @discardableResult
    public nonisolated func publish<T: Encodable>(
        _ topic: String, encoding value: T, acknowledge: Bool = false, logger: Logger? = nil
    ) async throws -> WAMPID? {
        let result = try WAMPResult(encoding: value)
        return try await publish(topic, args: result.args, kwargs: result.kwargs, acknowledge: acknowledge, logger: logger)
    }

    /// The publication ID in the reply to an acknowledged PUBLISH.
    ///
    /// - Throws: ``WAMPSessionError/Code/protocolViolation`` for any reply but PUBLISHED.
    static func publication(from reply: WAMPMessage, request id: WAMPID) throws -> WAMPID {
        try expectReply(reply, to: "PUBLISH", id) { reply in
            if case .published(let published) = reply { published.publication } else { nil }
        }
    }

    // MARK: - Subscriber

    /// Subscribes to a topic; the events arrive on the returned sequence.
    ///
    /// - Throws: ``WAMPError`` when the broker refuses; ``WAMPSessionError``; the transport's
    ///   send error.
    public func subscribe(
        _ topic: String, options: [String: WAMPValue] = [:], logger: Logger? = nil
    ) async throws -> WAMPSubscription {
        let logger = logger ?? self.logger
        let (token, started) = try machine.subscribe(topic, options: options)
        let jobs = self.jobs
        let events = EventBuffer(limit: configuration.eventBufferLimit) {
            jobs.append(.subscriptionDropped(token: token))
        }
        eventSinks[token] = events
        _ = try await request(started, logger: logger)  // on failure the machine ends the subscription
        return WAMPSubscription(topic: topic, events: EventBuffer.Consumer(events), token: token, session: self)
    }

    /// Ends the local subscription `token`; waits for UNSUBSCRIBED when it was the last local
    /// subscription of its router subscription.
    func unsubscribe(token: Int, logger: Logger?) async throws {
        let logger = logger ?? self.logger
        let target = current
        let (request, actions) = machine.unsubscribe(token: token)
        await perform(actions, on: target)
        guard let request else { return }
        _ = try await self.request(request, logger: logger)
    }
}
