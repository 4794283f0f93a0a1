import Foundation

/// Progress lines of a long run (`bench`, `soak`) on standard error, when standard error is a
/// terminal (or `WAMP_TOOL_PROGRESS=1`): one line every ``interval`` while the run goes on.
enum ProgressReporter {
    /// How often a line is printed.
    static let interval = Duration.seconds(1)

    /// Whether lines are printed: standard error is a terminal, or the environment variable
    /// `WAMP_TOOL_PROGRESS` is `1` (for tests and logs).
    static var isEnabled: Bool {
        isatty(STDERR_FILENO) == 1 || ProcessInfo.processInfo.environment["WAMP_TOOL_PROGRESS"] == "1"
    }

    /// Runs `body`, printing `line(elapsed seconds)` every ``interval`` until it returns.
    static func run<Result>(
        _ line: @escaping @Sendable (Double) -> String, _ body: () async throws -> Result
    ) async throws -> Result {
        guard isEnabled else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let start = ContinuousClock.now
            group.addTask {
                while true {
                    // Cancelled when `body` returned: no line after the run.
                    guard (try? await Task.sleep(for: interval)) != nil, !Task.isCancelled else { return }
                    printError(line((ContinuousClock.now - start).inSeconds))
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
