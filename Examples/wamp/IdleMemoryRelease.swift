#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Hands the memory glibc's allocator keeps for reuse back to the system (`malloc_trim(0)`)
/// while a server has no connection open: after `quietPeriod`, and again after `lateTrim`.
///
/// Why not at the moment the last handler returns: the connection is not gone then. Its channel
/// closes and its buffers, pipeline and task are freed on the event loop just after. And why a
/// second, late trim: the Swift concurrency threads (libdispatch's workers on Linux) each keep
/// a cache of freed dispatch continuations, and other per-thread state, until the thread exits
/// after 5 s without work. Those small blocks are spread over the malloc arenas and keep whole
/// pages in use, so `malloc_trim` can release those pages only after the threads exited. Measured
/// after a 1,000-connection soak: a trim as the last handler returned left the server's
/// anonymous memory 8 to 10 MiB above its start level, one 0.5 s later about 6 MiB, one after the
/// threads exited 1 to 1.5 MiB (see the README, "Hostile input, faults and load").
final class IdleMemoryRelease: Sendable {
    /// How long no connection must be open before the first trim.
    let quietPeriod: Duration
    /// How long no connection must be open before the second trim: longer than libdispatch
    /// keeps an idle worker thread (5 s).
    let lateTrim: Duration
    /// Prints glibc's `malloc_stats` (per-arena totals, on standard error) before and after each trim.
    let printsStatistics: Bool

    private struct State {
        var open = 0
        /// Counts the times `open` went to zero, so a trim scheduled before a newer close is skipped.
        var idleSince = 0
    }

    private let state = Mutex(State())

    init(quietPeriod: Duration = .milliseconds(500), lateTrim: Duration = .seconds(6), printsStatistics: Bool = false) {
        self.quietPeriod = quietPeriod
        self.lateTrim = lateTrim
        self.printsStatistics = printsStatistics
    }

    /// Call when a connection opens.
    func opened() {
        state.withLock { $0.open += 1 }
    }

    /// Call when a connection's handler returns; schedules the trim when it was the last one.
    func closed() {
        let idle: Int? = state.withLock { state in
            state.open -= 1
            guard state.open == 0 else { return nil }
            state.idleSince += 1
            return state.idleSince
        }
        guard let idle else { return }
        Task { [self] in
            for wait in [quietPeriod, lateTrim - quietPeriod] {
                try? await Task.sleep(for: wait)
                let stillIdle = state.withLock { $0.open == 0 && $0.idleSince == idle }
                guard stillIdle else { return }
                trim()
            }
        }
    }

    /// Trims now.
    func trim() {
        if printsStatistics { Self.printStatistics("before trim") }
        _ = Self.mallocTrim?(0)
        if printsStatistics { Self.printStatistics("after trim") }
    }

    /// glibc's `malloc_trim`, which Swift's Glibc module does not export; looked up at run time.
    private static let mallocTrim = lookUp("malloc_trim", as: (@convention(c) (Int) -> Int32).self)

    /// glibc's `malloc_stats`, looked up at run time.
    private static let mallocStats = lookUp("malloc_stats", as: (@convention(c) () -> Void).self)

    /// The C function `name` of the process's libraries, or nil where there is none: these are
    /// glibc's, so on other C libraries (musl, Darwin) trimming does nothing.
    private static func lookUp<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if canImport(Glibc) || canImport(Musl)
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
        #else
        return nil
        #endif
    }

    private static func printStatistics(_ label: String) {
        printError("malloc_stats \(label):")
        mallocStats?()
    }
}
