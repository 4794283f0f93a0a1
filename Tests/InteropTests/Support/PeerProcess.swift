import Foundation
import Synchronization

/// A peer process started by a test: its standard input is a pipe that this side holds open
/// (every peer script exits when it reaches end of file, so a peer dies with the test
/// process even when that is killed), its standard output and error are collected.
final class PeerProcess: Sendable {
    private struct Output {
        var stdout = ""
        var stderr = ""
        var stdoutClosed = false
        var stderrClosed = false
    }

    /// The command line, for messages.
    let commandLine: String
    /// The process id.
    let pid: Int32

    private final class OutputBuffer: Sendable {
        let state = Mutex(Output())
    }

    private let process: Process
    private let stdinPipe: Pipe
    private let output = OutputBuffer()
    private let stdinClosed = Mutex(false)

    /// Starts `executable` with `arguments`.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = PeerEnvironment.peerEnvironment,
         currentDirectory: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        self.stdinPipe = stdinPipe
        self.commandLine = ([executable] + arguments).joined(separator: " ")

        let output = self.output
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.state.withLock { o in
                if data.isEmpty { o.stdoutClosed = true } else { o.stdout += String(decoding: data, as: UTF8.self) }
            }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.state.withLock { o in
                if data.isEmpty { o.stderrClosed = true } else { o.stderr += String(decoding: data, as: UTF8.self) }
            }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        try process.run()
        // Foundation spawns the child in its own process group, with no descriptor but 0, 1, 2
        // inherited, and closes the child's ends of the pipes here.
        self.pid = process.processIdentifier
    }

    /// Everything written to standard output so far.
    var stdout: String { output.state.withLock { $0.stdout } }
    /// Everything written to standard error so far.
    var stderr: String { output.state.withLock { $0.stderr } }
    /// Whether the process is still running.
    var isRunning: Bool { process.isRunning }

    /// The output, for failure messages: the command, stdout, and the end of stderr.
    var transcript: String {
        let (out, err) = output.state.withLock { ($0.stdout, $0.stderr) }
        let errTail = err.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
        return "$ \(commandLine)\n--- stdout ---\n\(out)\n--- stderr (end) ---\n\(errTail)"
    }

    /// Waits for a line of standard output that starts with `prefix`, and returns it.
    func waitForLine(startingWith prefix: String, timeout: Double) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let (out, closed) = output.state.withLock { ($0.stdout, $0.stdoutClosed) }
            for line in out.split(separator: "\n") where line.hasPrefix(prefix) {
                return String(line)
            }
            if closed || !process.isRunning {
                // Give the reader a moment to collect the last output.
                try await Task.sleep(for: .milliseconds(100))
                if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
                throw PeerFailure("\"\(prefix)\" never appeared; the peer ended\n\(transcript)")
            }
            if ContinuousClock.now > deadline {
                throw InteropTimeoutError(what: "\"\(prefix)\" from the peer\n\(transcript)", seconds: timeout)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the process to exit and its output to be read; returns its exit status.
    func waitForExit(timeout: Double) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                throw InteropTimeoutError(what: "the peer to exit\n\(transcript)", seconds: timeout)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let outputDeadline = ContinuousClock.now + .seconds(2)
        while !output.state.withLock({ $0.stdoutClosed && $0.stderrClosed }), ContinuousClock.now < outputDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Closes the peer's standard input (peers exit on end of file).
    func closeStandardInput() {
        let wasClosed = stdinClosed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if !wasClosed { try? stdinPipe.fileHandleForWriting.close() }
    }

    /// Stops the peer: closes its standard input, sends SIGTERM, and SIGKILL after
    /// `grace` seconds.
    func stop(grace: Double = 5) async {
        closeStandardInput()
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(grace)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            let killDeadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < killDeadline { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Sends SIGKILL now, without waiting (for exit handlers).
    func killNow() {
        closeStandardInput()
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// A peer misbehaved or ended early.
struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a started peer and stops the peer afterwards, also when `body` throws.
func withPeer<T: Sendable>(
    _ executable: String, _ arguments: [String], _ body: (PeerProcess) async throws -> T
) async throws -> T {
    let peer = try PeerProcess(executable, arguments)
    do {
        let result = try await body(peer)
        await peer.stop()
        return result
    } catch {
        await peer.stop()
        throw error
    }
}
