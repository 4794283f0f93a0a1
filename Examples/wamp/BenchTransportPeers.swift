import Transport

/// The two peers of `wamp bench-router --client transport`: bare WAMP peers on a
/// ``WAMPTransport`` each, without the session layer. They join anonymously, register or
/// subscribe, then send and read the typed messages of the workload themselves: the callee
/// answers each INVOCATION with a YIELD carrying the invocation's payload as it came, the
/// caller keeps a window of CALLs in flight in one task.
///
/// A load generator, not a session: per call it does a fraction of the router's work (it
/// routes nothing and keeps no registry), so the router, not the client, sets the rate. With
/// two sessions of the session layer in the client, the client needs more time per call than
/// the router (see `Benchmarks/README.md`).
struct BenchTransportPeers<Caller: WAMPTransport, Callee: WAMPTransport>: Sendable {
    /// The caller's (rpc) or publisher's (pubsub) connection.
    let caller: Caller
    /// The callee's (rpc) or subscriber's (pubsub) connection.
    let callee: Callee
    /// The realm both join.
    let realm: String
    /// The args and kwargs of every call and event (an event's timestamp comes first).
    let payload: WAMPPayload

    /// How often the caller checks a result's payload against the call's: the first result,
    /// then one in this many (decoding every result would make the client the bottleneck).
    static var checkEvery: Int { 1024 }

    /// Registers `procedure` on the callee, then runs `plan.window` calls in flight from the
    /// caller until the end of the run. A call counts when it was sent after the warm-up and
    /// its result came before the end.
    func rpc(procedure: String, plan: BenchPlan) async throws -> BenchMeasurement {
        let ready = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: [Duration].self, returning: BenchMeasurement.self) { group in
            group.addTask {
                defer { ready.continuation.finish() }
                var messages = try Self.messages(of: callee)
                try await Self.join(callee, &messages, realm: realm, roles: ["callee": [:]])
                try await callee.send(.register(.init(request: 1, procedure: procedure)))
                try await Self.expect(&messages, "REGISTERED for \(procedure)") { message in
                    if case .registered(let registered) = message, registered.request == 1 { return true }
                    return false
                }
                ready.continuation.yield()
                while let message = try await Self.next(&messages) {
                    switch message {
                    case .invocation(let invocation):
                        try await Self.send(.yield(.init(request: invocation.request, payload: invocation.payload)), on: callee)
                    case .goodbye:
                        return []
                    default:
                        throw BenchRouterError(what: "the callee of \(procedure) received \(message.type), not INVOCATION")
                    }
                }
                throw BenchRouterError(what: "the callee's connection ended before the end of the run")
            }
            try await Self.awaitReady(ready.stream, &group)
            var messages = try Self.messages(of: caller)
            try await Self.join(caller, &messages, realm: realm, roles: ["caller": [:]])
            // The arguments serialized once: every CALL copies their bytes, as a router
            // forwarding them does.
            let arguments = try Self.serializedOnce(payload, by: caller.serializer)
            let clock = plan.start()
            group.addTask { try await clock.hangGuard("calls to \(procedure)") }
            let window = plan.window
            // Call `request` uses slot `(request - 1) % window`; a slot's next call is
            // `request + window`, sent when its result arrives.
            var sentAt = [ContinuousClock.Instant](repeating: clock.origin, count: window)
            var latencies: [Duration] = []
            var inFlight = 0
            var results = 0
            func call(_ request: Int) async throws {
                sentAt[(request - 1) % window] = .now
                try await Self.send(.call(.init(request: WAMPID(request), procedure: procedure, payload: arguments)), on: caller)
                inFlight += 1
            }
            for request in 1 ... window { try await call(request) }
            while inFlight > 0, let message = try await Self.next(&messages) {
                guard case .result(let result) = message else {
                    throw BenchRouterError(what: "the caller of \(procedure) received \(message.type), not RESULT")
                }
                let received = ContinuousClock.now
                guard result.request >= 1, result.request < WAMPID.wampMax else {
                    throw BenchRouterError(what: "a RESULT for request \(result.request), which was never sent")
                }
                let request = Int(result.request)
                inFlight -= 1
                if results % Self.checkEvery == 0, result.payload != payload {
                    throw BenchRouterError(what: "the echo of \(procedure) returned \(result.payload.decoded), not \(payload)")
                }
                results += 1
                let sent = sentAt[(request - 1) % window]
                if sent >= clock.measuredFrom, received <= clock.end { latencies.append(received - sent) }
                if received < clock.end { try await call(request + window) }
            }
            var measurement = BenchMeasurement(latencies: latencies, cpuSeconds: clock.cpuSeconds())
            try await callee.send(.goodbye(.init()))
            try await caller.send(.goodbye(.init()))
            // The callee's task ends with the router's GOODBYE; then the hang guard is cancelled.
            while let ended = try await group.next() { measurement.latencies += ended; break }
            group.cancelAll()
            try? await caller.close()
            try? await callee.close()
            return measurement
        }
    }

    /// Subscribes the callee to `topic`, then publishes from the caller (without acknowledge),
    /// keeping at most `plan.window` events published but not yet received. Each event carries
    /// the time it was published (nanoseconds since the run started) before `payload`'s args; an
    /// event counts when it was published after the warm-up and received before the end.
    func pubsub(topic: String, plan: BenchPlan) async throws -> BenchMeasurement {
        let ready = AsyncStream<Void>.makeStream()
        let credits = BenchCredits()
        let (args, kwargs) = (payload.args, payload.kwargs)
        let clockStarted = AsyncStream<BenchClock>.makeStream()
        return try await withThrowingTaskGroup(of: [Duration].self, returning: BenchMeasurement.self) { group in
            group.addTask {
                defer {
                    credits.finish()
                    ready.continuation.finish()
                }
                var messages = try Self.messages(of: callee)
                try await Self.join(callee, &messages, realm: realm, roles: ["subscriber": [:]])
                try await callee.send(.subscribe(.init(request: 1, topic: topic)))
                try await Self.expect(&messages, "SUBSCRIBED to \(topic)") { message in
                    if case .subscribed(let subscribed) = message, subscribed.request == 1 { return true }
                    return false
                }
                ready.continuation.yield()
                var started: BenchClock?
                for await clock in clockStarted.stream { started = clock }
                guard let clock = started else { return [] }
                var latencies: [Duration] = []
                while let message = try await Self.next(&messages) {
                    guard case .event(let event) = message else {
                        throw BenchRouterError(what: "the subscriber of \(topic) received \(message.type), not EVENT")
                    }
                    let received = ContinuousClock.now
                    let eventArgs = event.payload.args
                    guard eventArgs.count == args.count + 1, let stamp = eventArgs.first?.int64Value else {
                        throw BenchRouterError(what: "an event of \(topic) with args \(eventArgs), not [time] + \(args)")
                    }
                    let sent = clock.origin + .nanoseconds(stamp)
                    if sent >= clock.measuredFrom, received <= clock.end { latencies.append(received - sent) }
                    if received >= clock.end { return latencies }
                    credits.grant()
                }
                throw BenchRouterError(what: "the subscription to \(topic) ended before the end of the run")
            }
            try await Self.awaitReady(ready.stream, &group)
            var messages = try Self.messages(of: caller)
            try await Self.join(caller, &messages, realm: realm, roles: ["publisher": [:]])
            let clock = plan.start()
            clockStarted.continuation.yield(clock)
            clockStarted.continuation.finish()
            group.addTask { try await clock.hangGuard("events of \(topic)") }
            var request = 0
            func publishNext() async throws {
                let now = clock.origin.duration(to: .now)
                let stamp = now.components.seconds * 1_000_000_000 + now.components.attoseconds / 1_000_000_000
                request += 1
                let published = WAMPPayload.arguments([.integer(stamp)] + args, kwargs)
                try await Self.send(.publish(.init(request: WAMPID(request), topic: topic, payload: published)), on: caller)
            }
            for _ in 0 ..< plan.window { try await publishNext() }
            while await credits.take() { try await publishNext() }
            var measurement = BenchMeasurement()
            while let ended = try await group.next() { measurement.latencies += ended; break }
            measurement.cpuSeconds = clock.cpuSeconds()
            group.cancelAll()
            try? await caller.send(.goodbye(.init()))
            try? await callee.send(.goodbye(.init()))
            try? await caller.close()
            try? await callee.close()
            return measurement
        }
    }

    /// Returns when the callee's task is ready (registered or subscribed); when it ended
    /// without being ready, throws its error.
    private static func awaitReady(
        _ ready: AsyncStream<Void>, _ group: inout ThrowingTaskGroup<[Duration], any Error>
    ) async throws {
        for await _ in ready { return }
        while try await group.next() != nil {}
        throw BenchRouterError(what: "the callee or subscriber ended before it was ready")
    }

    /// `payload` as `serializer` leaves it when it reads it: still serialized (MessagePack), so
    /// that a message carrying it copies its bytes; or decoded (JSON).
    private static func serializedOnce(_ payload: WAMPPayload, by serializer: any WAMPSerializer) throws -> WAMPPayload {
        let template = WAMPMessage.call(.init(request: 1, procedure: "bench", payload: payload))
        guard case .call(let call) = try serializer.deserialize(try serializer.serialize(template)) else { return payload }
        return call.payload
    }

    /// Sends `message` without an asynchronous call when the connection takes it at once (on
    /// its event loop, writable), else with one.
    private static func send<Connection: WAMPTransport>(_ message: WAMPMessage, on connection: Connection) async throws {
        if try !connection.sendWithoutWaiting(message) { try await connection.send(message) }
    }

    /// Sends HELLO (anonymous, with `roles`) and waits for WELCOME.
    private static func join<Connection: WAMPTransport>(
        _ connection: Connection, _ messages: inout WAMPMessageSequence.AsyncIterator, realm: String,
        roles: [String: WAMPValue], isolation: isolated (any Actor)? = #isolation
    ) async throws {
        try await connection.send(.hello(.init(realm: realm, details: ["roles": .dict(roles)])))
        try await expect(&messages, "WELCOME to realm \(realm)") { message in
            if case .welcome = message { return true }
            return false
        }
    }

    /// The messages `connection` receives: a transport on SwiftNIO hands them over as a
    /// `WAMPMessageSequence`, whose messages already received are taken without an
    /// asynchronous call (``next(_:)``).
    private static func messages<Connection: WAMPTransport>(of connection: Connection) throws -> WAMPMessageSequence.AsyncIterator {
        guard let inbound = connection.inbound as? WAMPMessageSequence else {
            throw BenchRouterError(what: "--client transport needs a transport on SwiftNIO, not \(Connection.self)")
        }
        return inbound.makeAsyncIterator()
    }

    /// The next message: one already received without an asynchronous call, else the next to
    /// come.
    private static func next(
        _ messages: inout WAMPMessageSequence.AsyncIterator, isolation: isolated (any Actor)? = #isolation
    ) async throws -> WAMPMessage? {
        if let message = try messages.nextWithoutWaiting() { return message }
        return try await messages.next(isolation: isolation)
    }

    /// Reads the next message and throws unless `matches` accepts it.
    private static func expect(
        _ messages: inout WAMPMessageSequence.AsyncIterator, _ what: String, isolation: isolated (any Actor)? = #isolation,
        _ matches: (WAMPMessage) -> Bool
    ) async throws {
        guard let message = try await messages.next(isolation: isolation) else {
            throw BenchRouterError(what: "the connection ended while waiting for \(what)")
        }
        guard matches(message) else { throw BenchRouterError(what: "received \(message.value) while waiting for \(what)") }
    }
}
