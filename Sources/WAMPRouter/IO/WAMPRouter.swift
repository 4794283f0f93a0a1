public import Logging
public import ServiceLifecycle
import Synchronization
public import Transport

/// A WAMP router: a broker and a dealer for any number of realms, serving sessions on any
/// `WAMPTransport` (RawSocket, WebSocket, in-memory), embedded in a program.
///
/// Hand each accepted connection to ``serve(_:)``; run the router as a swift-service-lifecycle
/// `Service` so that a graceful shutdown says GOODBYE to every session:
///
/// ```swift
/// let router = WAMPRouter(configuration: .init(realms: ["realm1"]))
/// let server = try await RawSocketServer.bind(
///     to: .tcp(host: "127.0.0.1", port: 8080), serializers: [WAMPJSONSerializer()]
/// ) { connection in
///     await router.serve(connection)
/// }
/// // The router is listed last so that it shuts down first, while connections are still open.
/// let group = ServiceGroup(services: [server, router], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// The routing is pure state (tested without any transport); this type only
/// performs what it decides. Each session has a reading task, a writing task fed by a bounded
/// outbound queue (so a slow session never holds up routing to the others: once its queue is
/// full it is ended with ABORT ``outboundQueueOverflowURI``), and a timer for its deadlines. A
/// message to a session with nothing queued is sent by the routing task itself when the
/// transport takes it at once (`WAMPTransport.sendWithoutWaiting(_:)`: the same event loop, a
/// writable connection), in its place in the order; otherwise it is queued for the writer.
public final class WAMPRouter: Service, Sendable {
    /// The router's settings.
    public let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var core: RouterCore
        var links: [ConnectionID: Served] = [:]
        /// Connections in ``serve(_:)``.
        var served = 0
        /// ``shutdown()`` calls waiting for the last connection to end.
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        /// The array the actions of each message are collected in, kept empty between messages
        /// for its capacity: routing a message allocates no array for them.
        var spareActions: [RouterAction] = []
        /// Each realm's metrics, made when its first session joins.
        var realmMetrics: [String: WAMPRouterRealmMetrics] = [:]

        /// A connection in ``serve(_:)``: its link, and the metrics of the realm its session
        /// joined, while it is joined (kept together: one lookup per message sent).
        struct Served {
            let link: SessionLink
            var joined: WAMPRouterRealmMetrics?
        }

        /// The link to send `message` on to `connection` (`nil` when the connection is no
        /// longer served), after counting what sending it means: a session joined (WELCOME) or
        /// ended (GOODBYE, ABORT), a call (INVOCATION) or an event (EVENT) routed.
        mutating func link(sending message: WAMPMessage, to connection: ConnectionID) -> SessionLink? {
            switch message {
            case .welcome:
                left(connection)
                if let realm = core.session(on: connection)?.realm, links[connection] != nil {
                    let metrics = realmMetrics[realm] ?? WAMPRouterRealmMetrics(realm: realm)
                    realmMetrics[realm] = metrics
                    links[connection]?.joined = metrics
                    metrics.joined()
                }
            case .goodbye, .abort: left(connection)
            default: break
            }
            return links.withValueInPlace(connection) { served in
                switch message {
                case .invocation: served.joined?.routedCall()
                case .event: served.joined?.routedEvent()
                default: break
                }
                return served.link
            }
        }

        /// The session of `connection`, if one was joined, is no more.
        mutating func left(_ connection: ConnectionID) {
            links.withValueInPlace(connection) { served in
                served.joined?.left()
                served.joined = nil
            }
        }
    }

    /// The tasks serving one connection.
    private enum SessionTask {
        case reader, writer, timer, graceExpired
    }

    /// A router with `configuration`, logging to `logger`.
    public init(configuration: Configuration = .init(), logger: Logger = Logger(label: "wamp.router")) {
        self.configuration = configuration
        self.logger = logger
        state = Mutex(State(core: RouterCore(configuration: configuration)))
    }

    /// The names of the realms clients may join.
    public var realms: [String] {
        state.withLock { $0.core.realms.keys.sorted() }
    }

    /// Adds a realm at run time; `false` when one of that name exists (it is left unchanged).
    @discardableResult
    public func addRealm(_ realm: Realm) -> Bool {
        state.withLock { $0.core.addRealm(realm) }
    }

    // MARK: - Serving

    /// Serves one connection until it ends: reads the client's messages and routes them,
    /// writes what is routed to it, and closes the transport at the end. A server's connection
    /// handler calls it; it returns when the client left and the transport is closed, or after
    /// the router ended the session (protocol violation, slow consumer, shutdown) and the close
    /// grace period.
    ///
    /// While the router is shutting down, the connection gets ABORT `wamp.close.system_shutdown`
    /// and is closed at once.
    public func serve(_ transport: some WAMPTransport) async {
        let link = SessionLink(
            queueLength: configuration.limits.outboundQueueLength, octetLimit: configuration.limits.outboundQueueOctets,
            sendWithoutWaiting: { try transport.sendWithoutWaiting($0) })
        let connection: ConnectionID? = state.withLock { state in
            guard let id = state.core.connect(now: .now) else { return nil }
            state.links[id] = State.Served(link: link)
            state.served += 1
            return id
        }
        guard let connection else {
            try? await transport.send(.abort(.init(
                details: ["message": "the router is shutting down"], reason: WAMPURI.systemShutdown)))
            try? await transport.close()
            return
        }
        let grace = configuration.closeGracePeriod
        await withTaskGroup(of: SessionTask.self) { group in
            group.addTask {
                await self.read(transport, connection)
                return .reader
            }
            group.addTask {
                await self.write(link, to: transport, connection)
                return .writer
            }
            group.addTask {
                await self.runTimer(connection, link)
                return .timer
            }
            group.addTask {
                // Once the router closes the connection, the writer and reader get the grace
                // period to finish; then they are cancelled.
                await link.closing.wait()
                if !Task.isCancelled { try? await Task.sleep(for: grace) }
                return .graceExpired
            }
            var running: Set<SessionTask> = [.reader, .writer]
            while let done = await group.next() {
                switch done {
                case .reader: perform { $0.disconnect(connection) }
                case .graceExpired: group.cancelAll()
                case .writer, .timer: break
                }
                running.remove(done)
                if running.isEmpty { group.cancelAll() }
            }
        }
        let waiters = state.withLock { state in
            state.left(connection)
            state.links[connection] = nil
            state.served -= 1
            guard state.served == 0 else { return [CheckedContinuation<Void, Never>]() }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Reads the connection's messages and routes each, asking the authenticator (for a HELLO)
    /// or the authorizer first; returns
    /// when the transport's inbound ends or fails, or when the router closed the connection.
    ///
    /// A transport on SwiftNIO hands its messages over as a `WAMPMessageSequence`: the messages
    /// already received are then taken without an asynchronous call each
    /// (`nextWithoutWaiting()`), and routed without one when no authenticator or authorizer is
    /// to be asked.
    private func read(_ transport: some WAMPTransport, _ connection: ConnectionID) async {
        do {
            guard let inbound = transport.inbound as? WAMPMessageSequence else {
                for try await message in transport.inbound {
                    guard await receive(message, on: connection) else { return }
                }
                return
            }
            let asks = configuration.authenticator != nil || configuration.authorizer != nil
            var messages = inbound.makeAsyncIterator()
            while true {
                let message: WAMPMessage
                if let taken = try messages.nextWithoutWaiting() {
                    message = taken
                } else {
                    guard let next = try await messages.next() else { return }
                    message = next
                }
                guard asks ? await receive(message, on: connection) : route(message, on: connection) else { return }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["connection": "\(connection)", "error": "\(error)"])
        }
    }

    /// Routes `message`, asking the authenticator (for a HELLO) or the authorizer first;
    /// returns whether `connection` is still read.
    private func receive(_ message: WAMPMessage, on connection: ConnectionID) async -> Bool {
        // A HELLO whose user the authenticator looks up: asked before the routing state answers
        // it.
        var lookup: UserLookup?
        if let authenticator = configuration.authenticator,
           let request = state.withLock({ $0.core.authenticationRequest(for: message, on: connection) }) {
            do {
                lookup = .found(try await authenticator.user(for: request))
            } catch {
                lookup = .failed("\(error)")
            }
        }
        if let authorizer = configuration.authorizer,
           let request = state.withLock({ $0.core.authorizationRequest(for: message, on: connection) }) {
            let refusal: (uri: String, text: String)?
            do {
                refusal = try await authorizer.authorize(request)
                    ? nil : (WAMPURI.notAuthorized, "\(request.action.rawValue) \"\(request.uri)\" is not authorized")
            } catch {
                refusal = (WAMPURI.authorizationFailed, "the authorizer failed: \(error)")
            }
            if let refusal {
                return perform({ $0.refuse(message, from: connection, uri: refusal.uri, refusal.text) }, connection)
            }
        }
        return route(message, on: connection, lookup: lookup)
    }

    /// Routes `message` (with the authenticator's answer for a HELLO, when it was asked);
    /// returns whether `connection` is still read.
    private func route(_ message: WAMPMessage, on connection: ConnectionID, lookup: UserLookup? = nil) -> Bool {
        // The wall clock only for what is stamped with it: a subscription or registration the
        // message creates.
        let utc: UTCTime
        switch message {
        case .subscribe, .register: utc = .now()
        default: utc = .epoch
        }
        return perform(connection) { core, actions in
            core.receive(message, from: connection, now: .now, utc: utc, lookup: lookup, into: &actions)
        }
    }

    /// Writes the queued messages in order; at the end (the queue finished, the connection
    /// failed, or the task was cancelled after the grace period) writes the slow-consumer ABORT
    /// when that is why, and closes the transport.
    private func write(_ link: SessionLink, to transport: some WAMPTransport, _ connection: ConnectionID) async {
        // An entry already queued is taken, and sent when the transport can take it, without
        // an asynchronous call: one per message in a burst costs more than the rest of the
        // writing.
        while true {
            var taken = link.outbound.nextNow()
            if taken == nil { taken = await link.outbound.next() }
            guard let entry = taken else { break }
            if link.isOverflowed { break }
            let message = entry.message
            link.taken(entry.octets)
            do {
                if try !transport.sendWithoutWaiting(message) { try await transport.send(message) }
            } catch let error as any WAMPTransportError where error.kind == .messageTooLarge {
                logger.warning("message too large for the connection, not sent",
                              metadata: ["connection": "\(connection)", "type": "\(message.type)", "error": "\(error)"])
                perform { $0.undeliverable(message, to: connection) }
            } catch {
                break
            }
        }
        if link.isOverflowed {
            let limits = configuration.limits
            logger.warning("slow consumer: outbound queue full, session ended", metadata: [
                "connection": "\(connection)", "outboundQueueLength": "\(limits.outboundQueueLength)",
                "outboundQueueOctets": "\(limits.outboundQueueOctets)",
            ])
            try? await transport.send(.abort(.init(
                details: ["message": .string(
                    "the session did not take its messages fast enough: its queue reached the limit of "
                        + "\(limits.outboundQueueLength) messages or about \(limits.outboundQueueOctets) octets")],
                reason: Self.outboundQueueOverflowURI)))
        }
        try? await transport.close()
    }

    /// Waits for the connection's deadlines and acts on them, until cancelled.
    private func runTimer(_ connection: ConnectionID, _ link: SessionLink) async {
        while !Task.isCancelled {
            let deadline = state.withLock { $0.core.armTimer(connection) }
            await link.timer.wait(until: deadline)
            if Task.isCancelled { return }
            perform { $0.expire(connection, now: .now) }
        }
    }

    // MARK: - Performing actions

    /// Runs `event` on the routing state and performs its actions, under the lock; returns
    /// whether `connection` is still read.
    ///
    /// A message to a connection with nothing queued and nothing being written is claimed
    /// under the lock and sent after it, from this thread (``SessionLink/claim()``): when this
    /// thread is that connection's event loop, the transport writes it at once, without the
    /// queue and a wake-up of the connection's writer.
    @discardableResult
    private func perform(_ event: (inout RouterCore) -> [RouterAction], _ connection: ConnectionID? = nil) -> Bool {
        perform(connection) { core, actions in actions = event(&core) }
    }

    /// ``perform(_:_:)`` with `event` appending its actions to an array kept for the next
    /// event (``State/spareActions``).
    private func perform(_ connection: ConnectionID?, _ event: (inout RouterCore, inout [RouterAction]) -> Void) -> Bool {
        let (open, slow, claimed) = state.withLock { state in
            var actions: [RouterAction] = []
            swap(&actions, &state.spareActions)
            event(&state.core, &actions)
            var claimed = ClaimedSends()
            let slow = Self.perform(actions, in: &state, claiming: &claimed)
            actions.removeAll(keepingCapacity: true)
            swap(&actions, &state.spareActions)
            return (connection.map { state.core.isOpen($0) } ?? false, slow, claimed)
        }
        claimed.send()
        for connection in slow {
            logger.debug("outbound queue full", metadata: ["connection": "\(connection)"])
        }
        return open
    }

    /// Performs `actions` (and those they lead to: a full queue ends its connection); returns
    /// the connections ended as slow consumers.
    private static func perform(
        _ actions: [RouterAction], in state: inout State, claiming claimed: inout ClaimedSends
    ) -> [ConnectionID] {
        var queue = actions
        var slow: [ConnectionID] = []
        var index = 0
        while index < queue.count {
            switch queue[index] {
            case .send(let message, let connection):
                guard let link = state.link(sending: message, to: connection) else { break }
                if link.claim() {
                    claimed.append(message, on: link)
                } else if !link.enqueue(message) {
                    link.markOverflowed()
                    slow.append(connection)
                    queue += state.core.disconnect(connection)
                }
            case .close(let connection):
                state.links[connection]?.link.finish()
            case .rescheduleTimer(let connection):
                state.links[connection]?.link.timer.ring()
            }
            index += 1
        }
        return slow
    }

    // MARK: - Shutdown

    /// Runs until graceful shutdown (swift-service-lifecycle), then shuts down: see
    /// ``shutdown()``.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Says GOODBYE `wamp.close.system_shutdown` to every session, closes each connection once
    /// its session answered (or after the close grace period), refuses new connections, and
    /// returns when every connection in ``serve(_:)`` has ended.
    public func shutdown() async {
        perform { $0.shutdown(now: .now) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.served == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
