import NIOCore
import NIOHTTP1
import Transport

/// Answers an HTTP request that was not upgraded to a WAMP WebSocket with a short error
/// response, then closes the connection: 404 for another path, 400 for a WebSocket request
/// offering no accepted `wamp.2.*` subprotocol, 426 for a plain HTTP request, 503 when the
/// server has its maximum number of connections.
final class WebSocketRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let path: String
    private let subprotocols: [String]
    private var answered = false
    /// The request head of a refused upgrade: the upgrade handler consumed it.
    private let refusedUpgrade: HTTPRequestHead?

    /// Whether the server is at its connection limit (every request gets 503).
    private let overloaded: Bool
    /// Counts each refusal as a handshake failure with its HTTP status.
    private let metrics: TransportMetrics

    init(
        path: String, subprotocols: [String], refusedUpgrade: HTTPRequestHead?, overloaded: Bool = false,
        metrics: TransportMetrics
    ) {
        self.overloaded = overloaded
        self.metrics = metrics
        self.path = path
        self.subprotocols = subprotocols
        self.refusedUpgrade = refusedUpgrade
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let refusedUpgrade {
            answered = true
            respond(context: context, to: refusedUpgrade)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A plain HTTP request arrives here whole; the answer goes out on its head.
        guard case .head(let head) = unwrapInboundIn(data), !answered else { return }
        answered = true
        respond(context: context, to: head)
    }

    private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
        let status: HTTPResponseStatus
        let text: String
        if overloaded {
            status = .serviceUnavailable
            text = "the server has its maximum number of connections; try again later\n"
        } else if WebSocketPipeline.pathOf(head.uri) != WebSocketPipeline.pathOf(path) {
            status = .notFound
            text = "no WebSocket endpoint at \(head.uri); WAMP is served at \(path)\n"
        } else if head.headers["Upgrade"].contains(where: { $0.lowercased() == "websocket" }) {
            status = .badRequest
            let offered = WebSocketSubprotocol.parse(head.headers["Sec-WebSocket-Protocol"])
            text = "none of the offered subprotocols [\(offered.joined(separator: ", "))] is served here; "
                + "this server speaks \(subprotocols.joined(separator: ", "))\n"
        } else {
            status = .upgradeRequired
            text = "this is a WAMP WebSocket endpoint; upgrade with one of \(subprotocols.joined(separator: ", "))\n"
        }
        metrics.handshakeFailed(code: String(status.code))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(text.utf8.count)")
        headers.add(name: "Connection", value: "close")
        if status == .upgradeRequired { headers.add(name: "Upgrade", value: "websocket") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension WebSocketRefusalHandler: Sendable {}
