import NIOCore

/// Looks at the first octet a client sends and hands the channel to the protocol it starts:
/// 0x7F is the RawSocket magic octet, which can never begin an HTTP request line, so
/// everything else goes to HTTP (the WebSocket upgrade). The chosen pipeline is installed
/// after this handler, the octets read so far are passed on to it, and this handler removes
/// itself.
final class ProtocolSniffingHandler<Result: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The octet that starts a RawSocket handshake.
    static var rawSocketMagic: UInt8 { 0x7F }

    private let promise: EventLoopPromise<Result>
    private let configure: (any Channel, _ isRawSocket: Bool) throws -> Result
    private var decided = false

    init(promise: EventLoopPromise<Result>, configure: @escaping (any Channel, _ isRawSocket: Bool) throws -> Result) {
        self.promise = promise
        self.configure = configure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return }
        decided = true
        do {
            promise.succeed(try configure(context.channel, first == Self.rawSocketMagic))
        } catch {
            promise.fail(error)
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !decided {
            decided = true
            promise.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !decided {
            decided = true
            promise.fail(ChannelError.ioOnClosedChannel)
        }
    }
}

@available(*, unavailable)
extension ProtocolSniffingHandler: Sendable {}
