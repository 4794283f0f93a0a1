import NIOCore
import NIOPosix
import Testing
import TimeGuards
import Transport

/// A send from another thread returns once its message is handed to the event loop (below
/// `maxUnwrittenBytes`): its write's failure must not vanish.
@Suite("Channel bridge: write failures after the send returned", .scaledTimeLimit(minutes: 1))
struct ChannelBridgeWriteFailureTests {
    /// Fails every write that carries octets, as a handler refusing a message would.
    final class FailingWrites: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        struct Refused: Error {}

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if unwrapOutboundIn(data).readableBytes > 0 {
                promise?.fail(Refused())
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    struct Closed: Error {
        let cause: (any Error)?
    }

    /// Before the fix, the failed write was forgotten: the connection stayed open and the next
    /// send succeeded too, so messages were lost without anyone learning it.
    @Test("A write that fails after its send returned closes the connection; the next send throws it as the cause")
    func offLoopWriteFailureIsReported() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { $0.pipeline.addHandler(FailingWrites()) }
            .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()
        let bridge = try await client.eventLoop.submit {
            try ChannelBridge(installingOn: client, closedError: { Closed(cause: $0) })
        }.get()
        #expect(!client.eventLoop.inEventLoop)
        // Handed over: this send cannot know yet that the write fails.
        try await bridge.write(ByteBuffer(string: "first"))
        try await client.closeFuture.get()
        await #expect {
            try await bridge.write(ByteBuffer(string: "second"))
        } throws: { error in
            (error as? Closed)?.cause is FailingWrites.Refused
        }
        try await server.close()
    }
}
