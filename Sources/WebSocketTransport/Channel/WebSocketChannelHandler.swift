import Logging
import NIOCore
import Transport
import NIOWebSocket

/// Runs ``WebSocketStateMachine`` on an upgraded channel: turns WAMP message payloads into
/// text or binary frames (masked by a client), passes reassembled messages on as
/// `ByteBuffer`s, answers PINGs, sends keepalive PINGs and performs the closing handshake.
final class WebSocketChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    /// One serialized WAMP message, sent as one text or binary frame. The closing handshake is
    /// started with the outbound user event `TransportCloseRequest`.
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private var machine: WebSocketStateMachine
    private let isClient: Bool
    private let configuration: WebSocketConfiguration
    private let metrics: TransportMetrics
    private let logger: Logger
    private var pingTimer: RepeatedTask?
    private var pongDeadline: Scheduled<Void>?
    private var closeDeadline: Scheduled<Void>?
    private var outstandingPing: ByteBuffer?
    private var receivedSinceLastPing = false
    private var pendingFlush = false
    private let flushes = FlushCoalescer()
    private var closing = false

    init(binary: Bool, isClient: Bool, configuration: WebSocketConfiguration, metrics: TransportMetrics, logger: Logger) {
        self.metrics = metrics
        self.machine = WebSocketStateMachine(
            binary: binary, maxMessageSize: configuration.maxReceiveLength, peerMasks: !isClient)
        self.isClient = isClient
        self.configuration = configuration
        self.logger = logger
    }

    private var maskKey: WebSocketMaskingKey? { isClient ? .random() : nil }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let interval = configuration.pingInterval.map(TimeAmount.init) else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pingTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = loopBound.value
            handler.pingDue(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimers()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receivedSinceLastPing = true
        let frame = unwrapInboundIn(data)
        switch machine.receive(frame) {
        case .none:
            break
        case .deliver(let payload):
            logger.trace("WebSocket message received", metadata: ["length": "\(payload.readableBytes)"])
            context.fireChannelRead(wrapInboundOut(payload))
        case .sendPong(let payload):
            logger.trace("WebSocket PING answered")
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: maskKey, data: payload)), promise: nil)
            pendingFlush = true
        case .pongReceived(let payload):
            if let outstandingPing, outstandingPing == payload {
                self.outstandingPing = nil
                pongDeadline?.cancel()
                pongDeadline = nil
                logger.trace("WebSocket PONG received")
            }
        case .replyToClose(let received, let reply):
            logger.debug("WebSocket close received", metadata: ["code": "\(received.map(String.init) ?? "none")"])
            if let received, received != WebSocketCloseCode.normalClosure, received != WebSocketCloseCode.goingAway {
                context.fireErrorCaught(WebSocketError(.closedByPeer, "the peer closed the connection with code \(received)", closeCode: received))
            }
            sendCloseFrame(context: context, code: reply, thenClose: true)
        case .closeCompleted(let received):
            logger.debug("WebSocket close answered", metadata: ["code": "\(received.map(String.init) ?? "none")"])
            context.close(promise: nil)
        case .fail(let error):
            fail(context: context, error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame decoder errors: NIO's WebSocketProtocolErrorHandler (before this handler) has
        // already sent the close frame and closes the connection.
        if let decoderError = error as? NIOWebSocketError {
            _ = machine.startClosing()
            let mapped: WebSocketError
            switch decoderError {
            case .invalidFrameLength:
                mapped = WebSocketError(
                    .messageTooLarge, "a frame is longer than the limit of \(configuration.maxReceiveLength) octets",
                    closeCode: WebSocketCloseCode.messageTooBig, cause: error)
            default:
                mapped = WebSocketError(
                    .protocolViolation, "a malformed frame: \(decoderError)", closeCode: WebSocketCloseCode.protocolError,
                    cause: error)
            }
            closing = true
            stopTimers()
            context.fireErrorCaught(mapped)
            return
        }
        context.fireErrorCaught(error)
        closing = true
        context.close(promise: nil)
    }

    /// Coalesced: see ``FlushCoalescer``.
    func flush(context: ChannelHandlerContext) {
        flushes.flush(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        guard !machine.closeSent else {
            promise?.fail(WebSocketError(.connectionClosed, "the connection is closing; a message was not sent"))
            return
        }
        let frame = WebSocketFrame(fin: true, opcode: machine.binary ? .binary : .text, maskKey: maskKey, data: payload)
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let request = event as? TransportCloseRequest else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if machine.startClosing() {
            sendCloseFrame(context: context, code: request.reason.webSocketCode, thenClose: false, promise: promise)
            let channel = context.channel
            closeDeadline = context.eventLoop.scheduleTask(in: TimeAmount(configuration.closeTimeout)) { channel.close(promise: nil) }
        } else {
            context.flush()
            promise?.succeed()
        }
    }

    private func sendCloseFrame(
        context: ChannelHandlerContext, code: UInt16?, thenClose: Bool, promise: EventLoopPromise<Void>? = nil
    ) {
        var body = context.channel.allocator.buffer(capacity: 2)
        if let code { body.writeInteger(code) }
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: maskKey, data: body)
        pendingFlush = false
        let written = context.writeAndFlush(wrapOutboundOut(frame))
        if thenClose {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
        written.cascade(to: promise)
    }

    private func fail(context: ChannelHandlerContext, _ error: WebSocketError) {
        guard !closing else { return }
        closing = true
        logger.debug("WebSocket connection failed", metadata: ["error": "\(error)"])
        if error.code == .pingTimeout {
            metrics.pingsUnanswered(1)
        } else {
            metrics.protocolError(code: error.code.description)
        }
        stopTimers()
        context.fireErrorCaught(error)
        if let code = error.closeCode {
            sendCloseFrame(context: context, code: code, thenClose: true)
        } else {
            context.close(promise: nil)
        }
    }

    private func pingDue(context: ChannelHandlerContext) {
        guard !closing, !machine.closeSent, outstandingPing == nil else { return }
        // Traffic from the peer shows it is alive; a PING is only needed on a quiet connection.
        if receivedSinceLastPing {
            receivedSinceLastPing = false
            return
        }
        var payload = context.channel.allocator.buffer(capacity: 8)
        payload.writeInteger(UInt64.random(in: .min ... .max))
        outstandingPing = payload
        let timeout = configuration.pingTimeout
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pongDeadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let (handler, context) = loopBound.value
            handler.fail(
                context: context,
                WebSocketError(.pingTimeout, "a PING went unanswered for \(timeout)", closeCode: WebSocketCloseCode.policyViolation))
        }
        metrics.pingSent()
        logger.trace("WebSocket PING sent")
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, maskKey: maskKey, data: payload)), promise: nil)
    }

    private func stopTimers() {
        pingTimer?.cancel()
        pingTimer = nil
        pongDeadline?.cancel()
        pongDeadline = nil
        closeDeadline?.cancel()
        closeDeadline = nil
    }
}

@available(*, unavailable)
extension WebSocketChannelHandler: Sendable {}
