import ArgumentParser
import Transport
import WAMPSession

/// `wamp subscribe`: prints each event of a topic as one JSON line.
struct Subscribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe to a topic; print each event as {\"args\": [...], \"kwargs\": {...}}.",
        discussion: "Prints \"subscribed TOPIC\" once the router confirmed the subscription; SIGINT or SIGTERM leave with GOODBYE and exit 0.")

    @OptionGroup var session: SessionOptions

    @Option(help: "Exit after this many events.")
    var count: Int?

    @Argument(help: "The topic URI.")
    var topic: String

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let topic = self.topic
        let count = self.count
        try await session.withSession { session in
            let events = try await session.subscribe(topic)
            printLine("subscribed \(topic)")
            // SIGINT or SIGTERM leave with GOODBYE, which ends the events.
            let signals = SignalLeave(session)
            defer { signals.cancel() }
            var received = 0
            for try await event in events {
                printLine(JSONText.argsLine(event.args, event.kwargs))
                received += 1
                if let count, received >= count { break }
            }
        }
    }
}
