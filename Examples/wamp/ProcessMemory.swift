import Foundation

/// A process's memory as `/proc/PID/status` splits it, in KiB, and its thread count.
///
/// `anonymous` (`RssAnon`) is what the process allocated: heaps, malloc arenas, thread stacks.
/// `file` (`RssFile`) is mapped files, mostly the code and read-only data of the binary and its
/// shared libraries, which become resident the first time a code path runs and stay (the kernel
/// drops them only under memory pressure); it says nothing about leaks.
struct ProcessMemory: Sendable, Equatable {
    /// `VmRSS`: everything resident.
    var resident: Int
    /// `RssAnon`: resident anonymous memory.
    var anonymous: Int
    /// `RssFile`: resident pages of mapped files.
    var file: Int
    /// `RssShmem`: resident shared memory.
    var shared: Int
    /// `Threads`.
    var threads: Int

    /// Reads `/proc/PID/status`; `nil` when the process is gone or the fields are missing.
    init?(pid: Int32) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [Substring: Int] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            fields[line[..<colon]] = value.flatMap { Int($0) }
        }
        guard let resident = fields["VmRSS"], let anonymous = fields["RssAnon"], let file = fields["RssFile"],
              let shared = fields["RssShmem"], let threads = fields["Threads"] else { return nil }
        self.init(resident: resident, anonymous: anonymous, file: file, shared: shared, threads: threads)
    }

    /// Given values.
    init(resident: Int, anonymous: Int, file: Int, shared: Int, threads: Int) {
        self.resident = resident
        self.anonymous = anonymous
        self.file = file
        self.shared = shared
        self.threads = threads
    }

    /// The fields as JSON object members named after `phase` (`server_anon_PHASE_kib`, ...).
    func members(phase: String) -> [String: Any] {
        [
            "server_rss_\(phase)_kib": resident, "server_anon_\(phase)_kib": anonymous,
            "server_file_\(phase)_kib": file, "server_threads_\(phase)": threads,
        ]
    }

    /// Each field's larger value of the two.
    func maximum(_ other: ProcessMemory) -> ProcessMemory {
        ProcessMemory(
            resident: max(resident, other.resident), anonymous: max(anonymous, other.anonymous),
            file: max(file, other.file), shared: max(shared, other.shared), threads: max(threads, other.threads))
    }

    /// `12.3` for 12,595 KiB.
    static func mebibytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }
}
