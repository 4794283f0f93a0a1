import Foundation
import NIOCore
import NIOPosix

/// The event loop threads of the tool's servers (`router`, `echo-server`): one per CPU this
/// process may run on.
///
/// SwiftNIO's shared group counts the machine's CPUs (or a cgroup's quota), not the process's
/// CPU affinity: a router started with `taskset -c 0` on a 2-CPU machine got two event loops
/// on one CPU, and every message between sessions on different loops cost an `eventfd` write
/// and a thread switch (one `write` system call per routed event, counted with `strace -c`).
enum ServerEventLoops {
    /// The servers' group, made on first use and kept for the life of the process.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: usableCPUs)

    /// The CPUs in this process's affinity mask (`Cpus_allowed` in `/proc/self/status`), at
    /// least 1 and at most SwiftNIO's count; SwiftNIO's count where the mask cannot be read.
    static var usableCPUs: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        else { return System.coreCount }
        let mask = line.dropFirst("Cpus_allowed:".count).filter(\.isHexDigit)
        let allowed = mask.reduce(0) { $0 + ($1.hexDigitValue ?? 0).nonzeroBitCount }
        return allowed > 0 ? min(allowed, System.coreCount) : System.coreCount
    }
}
