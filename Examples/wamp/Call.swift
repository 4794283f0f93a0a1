import ArgumentParser
import Transport
import WAMPSession

/// `wamp call`: calls a procedure and prints its result as one JSON line.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call a procedure; print the result as {\"args\": [...], \"kwargs\": {...}}.",
        discussion: """
            Example: wamp call --url rs://127.0.0.1:8080 --realm realm1 com.example.add 2 3 --kw round=true
            A WAMP error prints {"args": [...], "error": URI, "kwargs": {...}} on standard error and exits 1 \
            (see wamp --help for every exit status).
            """)

    @OptionGroup var session: SessionOptions

    @Option(help: "Seconds to wait for the result (default: no limit).")
    var timeout: Double?

    @Argument(help: "The procedure URI.")
    var procedure: String

    @OptionGroup var payload: PayloadArguments

    func run() async throws {
        let options = WAMPCallOptions(timeout: timeout.map { .milliseconds(Int64($0 * 1000)) })
        let args = payload.values
        let kwargs = payload.keywordValues
        let procedure = self.procedure
        // A WAMP error reaches ToolFailure, which prints it as JSON and exits 1.
        let result = try await session.withSession { session in
            try await session.call(procedure, args: args, kwargs: kwargs, options: options)
        }
        printLine(JSONText.argsLine(result.args, result.kwargs))
    }
}
