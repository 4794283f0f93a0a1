public import Logging
import Synchronization
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
        let (message, request, target) = try state.withLock { state in
            let (message, request) = try state.machine.publish(
                topic, args: args, kwargs: kwargs, options: options, acknowledge: acknowledge)
            return (message, request, state.current)
        }
        guard let request else {
            guard let target else { throw noTransport }
            try await transmit(message, on: target.transport, logger: logger)
            return nil
        }
        let reply = try await self.request(request, on: target, logger: logger)
        return try Self.publication(from: reply, request: request.handle.id)
    }

    /// Publishes an `Encodable` value: a list becomes the positional arguments, a struct or
    /// dictionary the keyword arguments, anything else the one argument.
    @discardableResult
    public func publish<T: Encodable>(
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
        let jobs = self.jobs
        let limit = configuration.eventBufferLimit
        // The buffer is in place, under the lock, before the SUBSCRIBE can leave.
        let (token, started, target, events) = try state.withLock { state in
            let (token, started) = try state.machine.subscribe(topic, options: options)
            let events = EventBuffer(limit: limit) { jobs.append(.subscriptionDropped(token: token)) }
            state.eventSinks[token] = events
            return (token, started, state.current, events)
        }
        _ = try await request(started, on: target, logger: logger)  // on failure the machine ends the subscription
        return WAMPSubscription(topic: topic, events: EventBuffer.Consumer(events), token: token, session: self)
    }

    /// Ends the local subscription `token`; waits for UNSUBSCRIBED when it was the last local
    /// subscription of its router subscription.
    func unsubscribe(token: Int, logger: Logger?) async throws {
        let logger = logger ?? self.logger
        let (request, actions, target) = state.withLock { state in
            let (request, actions) = state.machine.unsubscribe(token: token)
            return (request, Self.applyTimers(actions, to: &state), state.current)
        }
        await perform(actions, on: target)
        guard let request else { return }
        _ = try await self.request(request, on: target, logger: logger)
    }
}
