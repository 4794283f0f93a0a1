import NIOCore
import NIOHTTP1

/// Notes the status of the server's answer to a client's upgrade request, so that a refusal
/// can say which one it was (`HTTP 404`): the HTTP upgrade handler does not pass the head of a
/// response that is not `101 Switching Protocols` on. It sits just before that handler, passes
/// every part on, and removes itself once it has seen the head.
final class WebSocketResponseStatusRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    /// The status of the response, once its head arrived; read on the channel's event loop.
    let status: NIOLoopBoundBox<HTTPResponseStatus?>

    init(status: NIOLoopBoundBox<HTTPResponseStatus?>) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Noted before passing the head on: the upgrade handler decides on it at once.
        guard case .head(let head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        status.value = head.status
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
