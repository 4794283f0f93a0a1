#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU time this process has used, user and system (getrusage), in seconds.
enum ProcessCPUTime {
    /// User plus system time used so far by every thread of this process.
    static func now() -> Double {
        var usage = rusage()
        #if canImport(Glibc) || canImport(Musl)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)  // glibc declares it an enum
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
