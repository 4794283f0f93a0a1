import Logging
import ServiceLifecycle
import Synchronization

/// Shuts a server down gracefully once a given number of connections have ended, without any
/// signal handler: for running a server under valgrind's callgrind, which writes its counts only
/// when the process exits normally, so that a measuring script ends the server by closing its
/// last connection, at a known point, instead of racing a signal against the work.
///
/// Used by the hidden `--exit-after-connections N` option of `wamp echo-server` and
/// `wamp router` (see `Benchmarks/echo-callgrind.sh`).
final class ConnectionCountdown: Sendable {
    private struct State {
        var remaining: Int
        var group: ServiceGroup?
    }

    private let state: Mutex<State>

    /// A countdown from `connections` (at least 1).
    init(connections: Int) {
        state = Mutex(State(remaining: max(1, connections), group: nil))
    }

    /// Runs `services` in a `ServiceGroup` without shutdown signals; returns once the
    /// countdown has reached zero and every service has ended.
    func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        state.withLock { $0.group = group }
        try await group.run()
    }

    /// Counts one ended connection; the last one shuts the group down gracefully.
    func connectionEnded() async {
        let group: ServiceGroup? = state.withLock { state in
            state.remaining -= 1
            return state.remaining == 0 ? state.group : nil
        }
        await group?.triggerGracefulShutdown()
    }
}
