import Dispatch
import Foundation
import WAMPSession

/// Leaves a session cleanly (GOODBYE) on SIGINT or SIGTERM, for the subcommands that run
/// until interrupted.
final class SignalLeave {
    private let sources: [any DispatchSourceSignal]

    /// Starts watching SIGINT and SIGTERM: either makes `session` leave.
    init(_ session: WAMPSession) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            // A signal handler is synchronous: the leave runs in a task of its own. The session
            // stays usable meanwhile; its scope ends when the subcommand returns.
            source.setEventHandler { Task { await session.leave() } }
            source.resume()
            return source
        }
    }

    /// Stops watching; the signals' default actions apply again.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
