import Foundation

/// Where the Python peers come from, and whether the interop tests run.
///
/// Python is `$WAMP_TEST_PYTHON`, else the package's `.venv/bin/python` (found from this
/// file's path); Crossbar.io is the `crossbar` script beside that Python. When a peer is
/// missing, its tests are skipped, except with `CI=true`, where they run and fail with a
/// message saying what is missing and how to install it.
enum PeerEnvironment {
    /// The package root: this file is `Tests/InteropTests/Support/PeerEnvironment.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The Python peer scripts and the Crossbar.io config template.
    static let peersDirectory: URL = packageRoot.appendingPathComponent("Tests/InteropTests/Peers")

    /// Whether this run is CI (`CI=true`), where a missing peer is a failure, not a skip.
    static let isCI: Bool = {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return value == "true" || value == "1"
    }()

    /// How to get the peers, quoted in failure messages.
    static let installHint =
        "run scripts/ensure-deps.sh --peers (creates .venv with autobahn, msgpack, cbor2, crossbar) "
        + "or set WAMP_TEST_PYTHON to a Python that has them"

    /// The Python to run the peers with, when one was found that imports autobahn and msgpack.
    static let python: String? = {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["WAMP_TEST_PYTHON"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        candidates.append(packageRoot.appendingPathComponent(".venv/bin/python").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if canImportPeers(candidate) { return candidate }
        }
        return nil
    }()

    /// The `crossbar` executable beside ``python``, when present.
    static let crossbar: String? = {
        guard let python else { return nil }
        let path = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("crossbar").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// Whether the Autobahn|Python tests run: Python found, or CI (where they then fail).
    static var autobahnTestsEnabled: Bool { python != nil || isCI }
    /// Whether the Crossbar.io tests run: Crossbar found, or CI (where they then fail).
    static var crossbarTestsEnabled: Bool { crossbar != nil || isCI }

    /// The Python, or a thrown error explaining what is missing (only reached in CI or
    /// when the peer was found).
    static func requirePython() throws -> String {
        guard let python else {
            throw PeerMissing(
                "no Python with autobahn and msgpack: WAMP_TEST_PYTHON="
                    + "\(ProcessInfo.processInfo.environment["WAMP_TEST_PYTHON"] ?? "(unset)"), "
                    + "\(packageRoot.path)/.venv/bin/python not usable; \(installHint)")
        }
        return python
    }

    /// The Crossbar.io executable, or a thrown error explaining what is missing.
    static func requireCrossbar() throws -> String {
        let python = try requirePython()
        guard let crossbar else {
            throw PeerMissing("no crossbar executable beside \(python); \(installHint)")
        }
        return crossbar
    }

    /// The path of a peer script in `Peers/`.
    static func peerScript(_ name: String) -> String {
        peersDirectory.appendingPathComponent(name).path
    }

    /// The environment for peer processes: unbuffered Python output, no user site packages.
    static var peerEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONNOUSERSITE"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        return environment
    }

    private static func canImportPeers(_ python: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import autobahn, msgpack"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                return false
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return process.terminationStatus == 0
    }
}

/// A peer needed by a test is not installed.
struct PeerMissing: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
