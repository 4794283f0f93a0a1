import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Transport
import WAMPSession

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `wamp bench-router`: two sessions of our session layer through any router, a caller and a
/// callee (`rpc`) or a publisher and a subscriber (`pubsub`), keeping a window of calls or
/// events in flight; prints one JSON line with the rate.
struct BenchRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-router",
        abstract: "Measure calls or events per second through a router, with two WAMPSession sessions.",
        discussion: """
            rpc: one session registers an echo procedure, the other calls it with --window calls \
            in flight. pubsub: one session subscribes, the other publishes (without acknowledge) \
            keeping at most --window events published but not yet received by the subscriber, so \
            the rate is what the subscriber receives. A warm-up (--warmup seconds) runs first, \
            untimed. Prints one JSON line with sorted keys: workload, serializer, transport, \
            window, duration_s, calls or events, calls_per_second or events_per_second, latency \
            percentiles in milliseconds (call round trip; publish to delivery), and cpu_seconds, \
            the CPU time of this process (both sessions) during the timed part.
            Example: wamp bench-router --url rs://127.0.0.1:8080 --serializer msgpack --workload rpc --window 64 --duration 5
            """)

    /// What the two sessions do.
    enum Workload: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// A caller and a callee: CALL, INVOCATION, YIELD, RESULT.
        case rpc
        /// A publisher and a subscriber: PUBLISH, EVENT.
        case pubsub
    }

    @OptionGroup var session: SessionOptions

    @Option(help: "rpc (a caller and a callee) or pubsub (a publisher and a subscriber).")
    var workload: Workload = .rpc

    @Option(help: "How many calls (rpc) or undelivered events (pubsub) to keep in flight.")
    var window: Int = 64

    @Option(help: "Seconds to measure.")
    var duration: Double = 5

    @Option(help: "Seconds to run untimed first.")
    var warmup: Double = 0.5

    /// What each call or event carries.
    enum Arguments: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Args `["hello", 42, 3.14]` and Kw `{"k": "v"}`.
        case small
        /// Args: one binary value of 64 KiB.
        case binary64k
    }

    @Option(help: "The arguments of every call and event: small (Args [\"hello\", 42, 3.14], Kw {\"k\": \"v\"}) or binary64k (one 64 KiB binary).")
    var arguments: Arguments = .small

    @Option(help: "The serializer of the callee (rpc) or subscriber (pubsub); default: --serializer's.")
    var peerSerializer: SerializerOption?

    /// What plays the two peers.
    enum Client: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Two `WAMPSession` sessions: what an application does.
        case session
        /// Two bare peers on `WAMPTransport`, sending and reading the workload's messages
        /// themselves: a load generator cheaper per call than the router, so that the router
        /// sets the rate.
        case transport
    }

    @Option(help: "session (two WAMPSession sessions) or transport (two bare peers on WAMPTransport that join anonymously and send the workload's messages themselves: a load generator cheaper than the router, so that the router sets the rate).")
    var client: Client = .session

    func validate() throws {
        guard window > 0 else { throw ValidationError("--window must be at least 1, not \(window)") }
        guard duration > 0, warmup >= 0 else {
            throw ValidationError("--duration must be positive and --warmup not negative, not \(duration) and \(warmup)")
        }
        if client == .transport {
            guard session.ticket == nil, session.secret == nil, session.privateKey == nil, !session.reconnect else {
                throw ValidationError("--client transport joins anonymously and does not reconnect: drop --ticket, --secret, --private-key and --reconnect")
            }
        }
    }

    /// The args and kwargs of every call and event (besides an event's timestamp): the
    /// `wamp bench` payload, or one 64 KiB binary.
    var payload: (args: [WAMPValue], kwargs: [String: WAMPValue]) {
        switch arguments {
        case .small: return (["hello", 42, 3.14], ["k": "v"])
        case .binary64k: return ([.binary([UInt8](repeating: 0xA5, count: 64 * 1024))], [:])
        }
    }

    /// The options of the callee's or subscriber's session: `--peer-serializer` in place of
    /// `--serializer` when given.
    var peerSession: SessionOptions {
        var options = session
        options.serializer = peerSerializer ?? session.serializer
        return options
    }

    func run() async throws {
        let plan = BenchPlan(
            window: window, warmup: .milliseconds(Int64(warmup * 1000)), duration: .milliseconds(Int64(duration * 1000)))
        // A name of its own, so that benchmarks running at once on one router do not meet.
        let name = "com.example.bench.\(workload.rawValue).\(UInt32.random(in: 0 ... .max))"
        // Both sessions, their connections and every task of the benchmark run on one event loop
        // thread of their own: the client then spends its time on WAMP, not on waking threads
        // (with SwiftNIO's shared group and the global executor, a call cost the client about
        // two context switches).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let measured: Result<BenchMeasurement, any Error>
        do {
            measured = .success(try await withTaskExecutorPreference(EventLoopTaskExecutor(group.next())) {
                switch (client, workload) {
                case (.session, .rpc): try await rpc(procedure: name, plan: plan, on: group)
                case (.session, .pubsub): try await pubsub(topic: name, plan: plan, on: group)
                case (.transport, _): try await overTransports(name: name, plan: plan, on: group)
                }
            })
        } catch {
            measured = .failure(error)
        }
        try? await group.shutdownGracefully()
        let measurement = try measured.get()
        let transport = (try? TransportURL(url: session.url))?.transportName ?? "unknown"
        let unit = workload == .rpc ? "calls" : "events"
        var line: [String: Any] = [
            "workload": workload.rawValue, "serializer": session.serializer.rawValue, "transport": transport,
            "peer_serializer": peerSession.serializer.rawValue, "arguments": arguments.rawValue,
            "client": client.rawValue, "window": window, "duration_s": BenchMeasurement.rounded(plan.duration.seconds, 3),
            "warmup_s": BenchMeasurement.rounded(plan.warmup.seconds, 3),
            unit: measurement.count, "\(unit)_per_second": (Double(measurement.count) / plan.duration.seconds).rounded(),
            "cpu_seconds": BenchMeasurement.rounded(measurement.cpuSeconds, 3),
        ]
        for (key, value) in measurement.latencyPercentiles() { line[key] = value }
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        printLine(String(decoding: data, as: UTF8.self))
    }

    /// Runs the workload with ``BenchTransportPeers``: the caller or publisher connects with
    /// `--serializer`, the callee or subscriber with the peer serializer.
    ///
    /// Both peers forward payloads as a router does (the callee echoes an invocation's
    /// arguments, the caller sends the same ones every time), so they use a router's
    /// serializers: MessagePack keeps every payload serialized.
    func overTransports(name: String, plan: BenchPlan, on group: any EventLoopGroup) async throws -> BenchMeasurement {
        let url = try TransportURL(url: session.url)
        let callee = try await TransportDialer.connect(
            url, serializer: peerSession.serializer.routerSerializer, tls: session.tls, eventLoopGroup: group)
        let caller = try await TransportDialer.connect(
            url, serializer: session.serializer.routerSerializer, tls: session.tls, eventLoopGroup: group)
        let (args, kwargs) = payload
        return try await Self.run(
            caller: caller, callee: callee, realm: session.realm, payload: .arguments(args, kwargs), workload: workload,
            name: name, plan: plan)
    }

    /// ``overTransports(name:plan:on:)`` with the connections' types opened.
    static func run<Caller: WAMPTransport, Callee: WAMPTransport>(
        caller: Caller, callee: Callee, realm: String, payload: WAMPPayload, workload: Workload, name: String,
        plan: BenchPlan
    ) async throws -> BenchMeasurement {
        let peers = BenchTransportPeers(caller: caller, callee: callee, realm: realm, payload: payload)
        switch workload {
        case .rpc: return try await peers.rpc(procedure: name, plan: plan)
        case .pubsub: return try await peers.pubsub(topic: name, plan: plan)
        }
    }

    /// The callee registers an echo; the caller runs `window` loops of calls. A call counts when
    /// it started after the warm-up and ended before the end.
    func rpc(procedure: String, plan: BenchPlan, on group: any EventLoopGroup) async throws -> BenchMeasurement {
        let (payload, kwargs) = self.payload
        return try await peerSession.withSession(eventLoopGroup: group) { callee -> BenchMeasurement in
            _ = try await callee.register(procedure) { invocation in
                WAMPResult(args: invocation.args, kwargs: invocation.kwargs)
            }
            return try await session.withSession(eventLoopGroup: group) { caller -> BenchMeasurement in
                let clock = plan.start()
                return try await withThrowingTaskGroup(of: [Duration].self, returning: BenchMeasurement.self) { group in
                    group.addTask { try await clock.hangGuard("calls to \(procedure)") }
                    for _ in 0 ..< plan.window {
                        group.addTask {
                            var latencies: [Duration] = []
                            while true {
                                let sent = ContinuousClock.now
                                guard sent < clock.end else { return latencies }
                                let result = try await caller.call(procedure, args: payload, kwargs: kwargs)
                                let received = ContinuousClock.now
                                guard result.args == payload else {
                                    throw BenchRouterError(what: "the echo of \(procedure) returned \(result.args), not \(payload)")
                                }
                                if sent >= clock.measuredFrom, received <= clock.end { latencies.append(received - sent) }
                            }
                        }
                    }
                    return try await BenchMeasurement.collect(&group, tasks: plan.window, clock: clock)
                }
            }
        }
    }

    /// The subscriber counts events and gives the publisher a credit for each; the publisher
    /// publishes `window` events and one more per credit. Each event carries the time it was
    /// published (nanoseconds since the run started) for the latency. An event counts when it
    /// was published after the warm-up and received before the end.
    func pubsub(topic: String, plan: BenchPlan, on group: any EventLoopGroup) async throws -> BenchMeasurement {
        let (payload, kwargs) = self.payload
        return try await peerSession.withSession(eventLoopGroup: group) { subscriber -> BenchMeasurement in
            let events = try await subscriber.subscribe(topic)
            return try await session.withSession(eventLoopGroup: group) { publisher -> BenchMeasurement in
                let clock = plan.start()
                let credits = BenchCredits()
                return try await withThrowingTaskGroup(of: [Duration].self, returning: BenchMeasurement.self) { group in
                    group.addTask { try await clock.hangGuard("events of \(topic)") }
                    group.addTask {
                        defer { credits.finish() }
                        var latencies: [Duration] = []
                        for try await event in events {
                            let received = ContinuousClock.now
                            guard event.args.count == payload.count + 1, let sentAt = event.args.first?.int64Value else {
                                throw BenchRouterError(what: "an event of \(topic) with args \(event.args), not [time] + \(payload)")
                            }
                            let sent = clock.origin + .nanoseconds(sentAt)
                            if sent >= clock.measuredFrom, received <= clock.end { latencies.append(received - sent) }
                            if received >= clock.end { return latencies }
                            credits.grant()
                        }
                        throw BenchRouterError(what: "the subscription to \(topic) ended before the end of the run")
                    }
                    group.addTask {
                        func publishNext() async throws {
                            let now = clock.origin.duration(to: .now)
                            let stamp = now.components.seconds * 1_000_000_000 + now.components.attoseconds / 1_000_000_000
                            try await publisher.publish(topic, args: [.integer(stamp)] + payload, kwargs: kwargs)
                        }
                        for _ in 0 ..< plan.window { try await publishNext() }
                        while await credits.take() { try await publishNext() }
                        return []
                    }
                    return try await BenchMeasurement.collect(&group, tasks: 2, clock: clock)
                }
            }
        }
    }
}

/// The window and the times of one `wamp bench-router` run.
struct BenchPlan: Sendable {
    /// Calls or undelivered events in flight.
    var window: Int
    /// The untimed part before the measurement.
    var warmup: Duration
    /// The measured part.
    var duration: Duration

    /// The clock of a run starting now.
    func start() -> BenchClock {
        let origin = ContinuousClock.now
        return BenchClock(origin: origin, measuredFrom: origin + warmup, end: origin + warmup + duration, cpuAtStart: BenchClock.processCPUSeconds())
    }
}

/// When a run started, when its measurement starts and ends, and the process's CPU time at
/// its start.
struct BenchClock: Sendable {
    let origin: ContinuousClock.Instant
    let measuredFrom: ContinuousClock.Instant
    let end: ContinuousClock.Instant
    let cpuAtStart: Double

    /// The CPU time this process used since the run started, scaled to the measured part (the
    /// warm-up runs the same work).
    func cpuSeconds() -> Double {
        let total = origin.duration(to: .now).seconds
        let measured = measuredFrom.duration(to: end).seconds
        return (Self.processCPUSeconds() - cpuAtStart) * (total > 0 ? min(1, measured / total) : 1)
    }

    /// Sleeps until a minute after the end, then throws: a run whose calls or events stopped
    /// (a router that drops them) ends instead of hanging. Cancelled when the run ends.
    func hangGuard(_ what: String) async throws -> [Duration] {
        try await Task.sleep(until: end + .seconds(60), clock: .continuous)
        throw BenchRouterError(what: "\(what) stopped: the run did not end a minute after its end")
    }

    /// User plus system CPU time of this process so far (every thread).
    static func processCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// What a run measured: one latency per counted call or event, and the CPU time.
struct BenchMeasurement: Sendable {
    var latencies: [Duration] = []
    var cpuSeconds: Double = 0

    /// Collects the latencies of the first `tasks` tasks of `group` to end (the workers; the
    /// hang guard never ends first unless the run hangs), then notes the CPU time; the guard is
    /// cancelled when the group's scope ends.
    static func collect(
        _ group: inout ThrowingTaskGroup<[Duration], any Error>, tasks: Int, clock: BenchClock
    ) async throws -> BenchMeasurement {
        var measurement = BenchMeasurement()
        var ended = 0
        while ended < tasks, let latencies = try await group.next() {
            measurement.latencies += latencies
            ended += 1
        }
        measurement.cpuSeconds = clock.cpuSeconds()
        group.cancelAll()
        return measurement
    }

    /// The calls or events counted.
    var count: Int { latencies.count }

    /// `latency_p50_ms`, `latency_p90_ms`, `latency_p99_ms` and `latency_max_ms` (none when
    /// nothing was counted).
    func latencyPercentiles() -> [String: Double] {
        guard !latencies.isEmpty else { return [:] }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return Self.rounded(sorted[max(0, index)].seconds * 1000, 3)
        }
        return [
            "latency_p50_ms": percentile(0.5), "latency_p90_ms": percentile(0.9), "latency_p99_ms": percentile(0.99),
            "latency_max_ms": Self.rounded(sorted[sorted.count - 1].seconds * 1000, 3),
        ]
    }

    /// `value` rounded to `digits` decimals.
    static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A run of `wamp bench-router` that went wrong: a wrong echo or event, a run that stopped.
struct BenchRouterError: Error, CustomStringConvertible {
    /// What went wrong, with the values.
    let what: String

    var description: String { what }
}
