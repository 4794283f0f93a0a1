import Foundation
import RawSocketTransport
import WebSocketTransport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Crossbar.io router of the interop suite: started once, on first use, by the first test
/// that needs it; stopped when the ``CrossbarRouterTrait`` suite ends, and at process exit
/// when that did not happen (a crash, an interrupted run).
///
/// The node runs under `Peers/supervise.py`, in its own process group: the supervisor stops
/// the whole group (controller and router worker) on SIGTERM or when its standard input, held
/// by this process, reaches end of file, so the router dies with the test process even when
/// that is killed. Its node directory is a temporary directory, removed at the end.
///
/// Transports, all RawSocket on loopback, serializers JSON, MessagePack and CBOR, realm `realm1`
/// open to the anonymous role:
/// - ``Endpoints/tcp``: TCP 127.0.0.1, `max_message_size` 4 MiB;
/// - ``Endpoints/unix``: a Unix socket in the node directory, 4 MiB;
/// - ``Endpoints/smallLimitTCP``: TCP 127.0.0.1, `max_message_size` 65536;
/// - ``Endpoints/webSocket``: WebSocket on TCP 127.0.0.1, path `/ws`, 4 MiB.
/// - ``Endpoints/authTCP``: TCP 127.0.0.1, 4 MiB, realm `authrealm` with ticket (`ticketuser`),
///   WAMP-CRA (`crauser`, salted `saltuser`) and cryptosign (`signuser`, the fixed test key of
///   ``SessionRouterChecks/cryptosignTestSeed``) users.
actor CrossbarRouter {
    static let shared = CrossbarRouter()

    struct Endpoints: Sendable {
        let tcp: RawSocketEndpoint
        let unix: RawSocketEndpoint
        let smallLimitTCP: RawSocketEndpoint
        let webSocket: WebSocketEndpoint
        let authTCP: RawSocketEndpoint
        let directory: String
    }


    private var starting: Task<Endpoints, any Error>?
    private var running: (supervisor: PeerProcess, endpoints: Endpoints, pgid: Int32?)?

    /// The router's endpoints, starting it on first use.
    func endpoints() async throws -> Endpoints {
        if let starting { return try await starting.value }
        let task = Task { try await self.launch() }
        starting = task
        return try await task.value
    }

    /// Stops the router and removes its directory. The next ``endpoints()`` starts a new one.
    func stop() async {
        starting = nil
        await teardown()
    }

    private func teardown() async {
        guard let running else { return }
        self.running = nil
        await running.supervisor.stop(grace: 10)
        if let pgid = running.pgid { killGroupAndWait(pgid) }
        try? FileManager.default.removeItem(atPath: running.endpoints.directory)
        CrossbarCleanup.unregister()
    }

    private func launch() async throws -> Endpoints {
        let python = try PeerEnvironment.requirePython()
        let crossbar = try PeerEnvironment.requireCrossbar()
        var lastError: (any Error)?
        // A port chosen free can be taken by someone else before the router binds it: retry.
        for _ in 0 ..< 2 {
            do {
                return try await launchOnce(python: python, crossbar: crossbar)
            } catch let error as PeerMissing {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    private func launchOnce(python: String, crossbar: String) async throws -> Endpoints {
        let directory = try makeTemporaryDirectory()
        let nodeDirectory = directory + "/.crossbar"
        try FileManager.default.createDirectory(atPath: nodeDirectory, withIntermediateDirectories: true)
        let tcpPort = try freeTCPPort()
        let smallPort = try freeTCPPort(avoiding: [tcpPort])
        let webSocketPort = try freeTCPPort(avoiding: [tcpPort, smallPort])
        let authPort = try freeTCPPort(avoiding: [tcpPort, smallPort, webSocketPort])
        let unixPath = directory + "/router.sock"
        let template = try String(
            contentsOfFile: PeerEnvironment.peerScript("crossbar-config.template.json"), encoding: .utf8)
        let config = template
            .replacingOccurrences(of: "@TCP_PORT@", with: String(tcpPort))
            .replacingOccurrences(of: "@SMALL_TCP_PORT@", with: String(smallPort))
            .replacingOccurrences(of: "@WS_PORT@", with: String(webSocketPort))
            .replacingOccurrences(of: "@AUTH_TCP_PORT@", with: String(authPort))
            .replacingOccurrences(of: "@UNIX_PATH@", with: unixPath)
        try config.write(toFile: nodeDirectory + "/config.json", atomically: true, encoding: .utf8)
        CrossbarCleanup.register(directory: directory)

        let supervisor = try PeerProcess(
            python,
            [PeerEnvironment.peerScript("supervise.py"), "--grace", "3", "--remove-dir", directory, "--", crossbar, "start", "--cbdir", nodeDirectory,
             "--loglevel", "info"],
            currentDirectory: directory)
        CrossbarCleanup.register(supervisor: supervisor)
        let endpoints = Endpoints(
            tcp: .tcp(host: "127.0.0.1", port: tcpPort), unix: .unix(path: unixPath),
            smallLimitTCP: .tcp(host: "127.0.0.1", port: smallPort),
            webSocket: WebSocketEndpoint(host: "127.0.0.1", port: webSocketPort, path: "/ws"),
            authTCP: .tcp(host: "127.0.0.1", port: authPort), directory: directory)
        running = (supervisor, endpoints, nil)
        do {
            let line = try await supervisor.waitForLine(startingWith: "child ", timeout: InteropTimeouts.pythonStart)
            let pgid = Int32(line.dropFirst("child ".count))
            if let pgid {
                CrossbarCleanup.register(processGroup: pgid)
                running?.pgid = pgid
            }

            let deadline = ContinuousClock.now + .seconds(InteropTimeouts.crossbarStart)
            while !(canConnect(tcpPort: tcpPort) && canConnect(tcpPort: smallPort) && canConnect(tcpPort: authPort)
                && canConnect(unixPath: unixPath) && canConnect(tcpPort: webSocketPort))
            {
                guard supervisor.isRunning else {
                    throw PeerFailure("the Crossbar.io node ended before opening its transports\n\(supervisor.transcript)")
                }
                guard ContinuousClock.now < deadline else {
                    throw InteropTimeoutError(
                        what: "the Crossbar.io node to open its transports\n\(supervisor.transcript)",
                        seconds: InteropTimeouts.crossbarStart)
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            return endpoints
        } catch {
            await teardown()
            throw error
        }
    }
}

/// Starts nothing; stops the shared Crossbar.io router when the suite it is attached to ends.
struct CrossbarRouterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        do {
            try await function()
        } catch {
            await CrossbarRouter.shared.stop()
            throw error
        }
        await CrossbarRouter.shared.stop()
    }
}

extension Trait where Self == CrossbarRouterTrait {
    /// Stops the shared Crossbar.io router when the suite ends.
    static var stopsCrossbarRouterAtEnd: Self { Self() }
}

/// What the process-exit handler cleans up when ``CrossbarRouter/stop()`` did not run.
enum CrossbarCleanup {
    private struct State: Sendable {
        var supervisor: PeerProcess?
        var processGroup: Int32?
        var directory: String?
        var installed = false
    }

    private static let state = Mutex(State())

    static func register(supervisor: PeerProcess) {
        installIfNeeded()
        state.withLock { $0.supervisor = supervisor }
    }

    static func register(processGroup: Int32) {
        installIfNeeded()
        state.withLock { $0.processGroup = processGroup }
    }

    static func register(directory: String) {
        installIfNeeded()
        state.withLock { $0.directory = directory }
    }

    static func unregister() {
        state.withLock { s in
            s.supervisor = nil
            s.processGroup = nil
            s.directory = nil
        }
    }

    private static func installIfNeeded() {
        let install = state.withLock { s in
            defer { s.installed = true }
            return !s.installed
        }
        if install { atexit { CrossbarCleanup.runAtExit() } }
    }

    /// Kills the node's process group and the supervisor, removes the node directory.
    static func runAtExit() {
        let s = state.withLock { s in
            defer {
                s.supervisor = nil
                s.processGroup = nil
                s.directory = nil
            }
            return s
        }
        if let pgid = s.processGroup {
            kill(-pgid, SIGTERM)
            // Crossbar shuts down in about a second; do not hold the exit up for long.
            for _ in 0 ..< 30 where kill(-pgid, 0) == 0 { usleep(100_000) }
            kill(-pgid, SIGKILL)
        }
        s.supervisor?.killNow()
        if let directory = s.directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// SIGTERM to a process group, then SIGKILL to what is left after a few seconds.
private func killGroupAndWait(_ pgid: Int32) {
    guard kill(-pgid, 0) == 0 else { return }
    kill(-pgid, SIGTERM)
    for _ in 0 ..< 50 where kill(-pgid, 0) == 0 { usleep(100_000) }
    kill(-pgid, SIGKILL)
}

/// `SOCK_STREAM` as `socket()` takes it: an enum in Glibc, an `Int32` in Darwin and Musl.
#if canImport(Glibc)
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
private let streamSocket = SOCK_STREAM
#endif

/// A new private directory under /tmp (short, for the Unix socket path).
private func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/wamp-interop-XXXXXX".utf8CString)
    guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw PeerFailure("mkdtemp failed: errno \(errno)")
    }
    return String(cString: result)
}

/// A TCP port on 127.0.0.1 that is free now.
func freeTCPPort(avoiding: Set<Int> = []) throws -> Int {
    for _ in 0 ..< 10 {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw PeerFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw PeerFailure("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw PeerFailure("getsockname() failed: errno \(errno)") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if !avoiding.contains(port) { return port }
    }
    throw PeerFailure("no free TCP port found")
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` (the probe connection is
/// closed at once).
private func canConnect(tcpPort port: Int) -> Bool {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// Whether something accepts connections on the Unix socket at `path`.
private func canConnect(unixPath path: String) -> Bool {
    let fd = socket(AF_UNIX, streamSocket, 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}
