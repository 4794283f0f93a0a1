/// The exit status of every `wamp` subcommand: one table for all of them, printed by
/// `wamp --help` and documented in the README. ``ToolFailure`` picks the code for an error.
enum ToolExitCode: Int32, CaseIterable, Sendable {
    /// The command did what it was asked.
    case success = 0
    /// The router answered with an error: ERROR to a call, publish, subscribe or register, or
    /// ABORT refusing the join (no such realm, authentication refused).
    case wampError = 1
    /// The command line is wrong: an unknown or missing option, a bad value or URL, an
    /// unreadable or invalid file named by an option.
    case usage = 2
    /// Could not connect: the socket or TLS failed, the RawSocket handshake or the WebSocket
    /// upgrade was refused or not answered in time, or no WELCOME came in time.
    case cannotConnect = 3
    /// A server could not listen: the address is in use, not available or not permitted.
    case cannotListen = 4
    /// The connection was lost or broken after it was established, or a request went
    /// unanswered in time.
    case connectionLost = 5
    /// A check failed: `bench` or `soak` saw a lost, wrong or reordered echo, a failed
    /// connection, or server memory above its tolerance.
    case checkFailed = 6
    /// Any other failure.
    case failure = 7

    /// A few words for the table.
    var meaning: String {
        switch self {
        case .success: "success"
        case .wampError: "the router answered with ERROR, or refused the join with ABORT"
        case .usage: "usage error: bad option, value, URL or file (the subcommand's usage follows the message)"
        case .cannotConnect: "cannot connect: socket or TLS failed, handshake or WebSocket upgrade refused, no answer in time"
        case .cannotListen: "cannot listen: address in use, not available or not permitted"
        case .connectionLost: "the connection was lost or broken after it was established, or a request went unanswered"
        case .checkFailed: "bench or soak found a lost or wrong echo, a failed connection, or memory above tolerance"
        case .failure: "any other failure"
        }
    }

    /// The table, one code a line: `  3  cannot connect: ...`.
    static var table: String {
        allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }
}
