import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RawSocketTransport

/// `wamp echo-server` started as a child process on a free loopback port. Use it from one task.
final class ServerProcess {
    let pid: Int32
    let endpoint: RawSocketEndpoint
    private let process: Process

    private init(process: Process, endpoint: RawSocketEndpoint) {
        self.process = process
        self.pid = process.processIdentifier
        self.endpoint = endpoint
    }

    /// Starts the server with `--release-idle-memory` and `extraArguments`; it inherits this
    /// process's environment (so `MALLOC_ARENA_MAX` and the like reach it) and standard error.
    static func start(maxConnections: Int, extraArguments: [String] = []) async throws -> ServerProcess {
        // A port that is free now: bind port 0, note the port, close.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress?.port ?? 0
        try await probe.close()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [
            "echo-server", "--listen", "rs://127.0.0.1:\(port)", "--serializers", SerializerOption.all,
            "--max-connections", "\(maxConnections)", "--release-idle-memory",
        ] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The server prints one line when it listens: `listening on rs://127.0.0.1:PORT`.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening on "), let endpoint = try? RawSocketEndpoint(url: String(text.dropFirst(13))) else {
            process.terminate()
            throw ValidationError("the echo server did not start: \(text)")
        }
        return ServerProcess(process: process, endpoint: endpoint)
    }

    /// The server's memory now.
    func memory() -> ProcessMemory? { ProcessMemory(pid: pid) }

    /// The server's memory once it has settled: at least 7 s after the call (the server trims
    /// its allocator 0.5 s and 6 s after the last connection closed, see ``IdleMemoryRelease``),
    /// then once four samples 250 ms apart agree, at most 15.5 s in all.
    func settledMemory() async throws -> ProcessMemory? {
        try await Task.sleep(for: .seconds(7))
        var last = memory()
        var unchanged = 0
        for _ in 0 ..< 34 where unchanged < 3 {
            try await Task.sleep(for: .milliseconds(250))
            let now = memory()
            unchanged = now == last ? unchanged + 1 : 0
            last = now
        }
        return last
    }

    /// The number of file descriptors the server has open (its listening socket, one per
    /// connection, and a few of its own).
    func openFileDescriptors() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// Copies the server's `/proc/PID/smaps` (every mapping with its resident size) to `path`.
    func saveMappings(to path: String) {
        // Read to the end: /proc files announce a size of 0, and a read of that size gets one page.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps"), let data = try? file.readToEnd() else { return }
        try? file.close()
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
