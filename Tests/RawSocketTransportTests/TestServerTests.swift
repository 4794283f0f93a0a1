import NIOCore
import NIOPosix
import Testing
import TimeGuards

/// The raw test servers themselves: a test that ends while clients still connect must not
/// take the test process down.
@Suite("Raw test servers", .scaledTimeLimit(minutes: 2))
struct TestServerTests {
    /// Before the fix, shutting a server down cancelled the task iterating its accepted
    /// connections; a connection accepted but not yet taken was dropped, and NIO trapped on the
    /// dropped `NIOAsyncChannel` ("Deinited NIOAsyncWriter without calling finish()").
    @Test("a raw server shut down while clients are connecting hands every accepted connection on, and closes it")
    func shutdownWhileClientsConnect() async throws {
        for _ in 0 ..< 30 {
            let server = try await RawServer.start { stream in _ = await stream.readToEnd() }
            let port = server.port
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 8 {
                    group.addTask {
                        let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                            .connect(host: "127.0.0.1", port: port).get()
                        try? await channel?.close()
                    }
                }
                group.addTask { await server.shutdown() }
                try await group.waitForAll()
            }
        }
    }
}
