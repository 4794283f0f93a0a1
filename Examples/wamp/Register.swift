import ArgumentParser
import Transport
import WAMPSession

/// `wamp register`: registers a procedure that echoes its call's arguments.
struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register a procedure that answers every call with the call's own args and kwargs, until interrupted.",
        discussion: "Prints \"registered PROCEDURE\" once the router confirmed the registration; SIGINT or SIGTERM leave with GOODBYE and exit 0.")

    @OptionGroup var session: SessionOptions

    @Argument(help: "The procedure URI.")
    var procedure: String

    func run() async throws {
        let procedure = self.procedure
        try await session.withSession { session in
            _ = try await session.register(procedure) { invocation in
                WAMPResult(args: invocation.args, kwargs: invocation.kwargs)
            }
            printLine("registered \(procedure)")
            // Serve until SIGINT or SIGTERM (then leave with GOODBYE) or the session ends.
            let signals = SignalLeave(session)
            for await _ in session.lifecycle {}
            signals.cancel()
        }
    }
}
