import Synchronization
import Testing

/// A test trait: every ``FakeTransport`` made during a test is closed when the test ends, so
/// that no session's reader task is left waiting for a message when the test process exits
/// (LeakSanitizer would count what such a task holds as leaked).
struct ClosesFakeTransports: SuiteTrait, TestTrait, TestScoping {
    /// The transports made by the running test.
    final class Registry: Sendable {
        private let transports = Mutex<[FakeTransport]>([])

        func add(_ transport: FakeTransport) {
            transports.withLock { $0.append(transport) }
        }

        func closeAll() async {
            for transport in transports.withLock({ $0 }) { try? await transport.close() }
        }
    }

    @TaskLocal static var current: Registry?

    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil || !test.isSuite else {
            try await function()
            return
        }
        let registry = Registry()
        do {
            try await Self.$current.withValue(registry) {
                try await function()
            }
        } catch {
            await registry.closeAll()
            throw error
        }
        await registry.closeAll()
    }
}

extension Trait where Self == ClosesFakeTransports {
    /// Closes every ``FakeTransport`` a test made when it ends.
    static var closesFakeTransports: Self { ClosesFakeTransports() }
}
