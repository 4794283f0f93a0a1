import Logging
import NIOCore
import Transport

/// Runs ``RawSocketProtocolCore`` on a channel: reads bytes, writes handshake, frames and
/// PONGs, passes WAMP message payloads on as `ByteBuffer`s, enforces the handshake timeout
/// and sends keepalive PINGs when configured.
final class RawSocketChannelHandler: ChannelDuplexHandler, FrameGatherer {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    /// A complete regular-message frame (header and payload in one buffer), written as is;
    /// an empty buffer flushes and reports when everything before it is written.
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var core: RawSocketProtocolCore
    private let configuration: RawSocketConfiguration
    private let metrics: TransportMetrics
    private let logger: Logger
    private let handshakePromise: EventLoopPromise<RawSocketStateMachine.Negotiation>
    /// Whether `logger` logs at trace level, read once: each message's trace line is then one
    /// test of a stored flag, not a call through the log handler for its level (the handler's
    /// existential copied and released, on every frame sent and received).
    private let tracesFrames: Bool
    private var handshakeTimer: Scheduled<Void>?
    private var pingTimer: RepeatedTask?
    private var pendingWrites = false
    /// Coalesces flushes, and gathers small message frames written without a promise: a burst
    /// of messages goes down the pipeline as one write and to the socket as one iovec.
    private let flushes = FlushCoalescer()
    private var closing = false
    /// Octets of handshake replies, PINGs and PONGs handed to the channel and not yet written.
    private var controlBytesPending = 0
    /// A read held back while ``maxPendingControlBytes`` is exceeded.
    private var readHeld = false
    /// Something arrived since the last keepalive tick: no PING is needed on this tick.
    private var receivedSinceLastTick = false
    /// The opening handshake completed: a failure is a protocol error, no more a handshake failure.
    private var handshakeCompleted = false
    /// The handler's context while it is in the pipeline: frames written in place
    /// (``gatherFrame(_:)``) are flushed through it.
    private var context: ChannelHandlerContext?

    /// Above this many unwritten control octets (PONGs to a peer that floods PINGs and reads
    /// nothing), this side stops reading until they are written, so that a PING flood cannot
    /// make it buffer without bound. Keepalive PINGs never come near it.
    static let maxPendingControlBytes = 1 << 20

    /// The largest frame that is gathered (copied into the buffer of the frames gathered before
    /// it, see ``FlushCoalescer``); a larger one is passed on as it is, after them.
    static let maxGatheredFrame = 4096

    /// The negotiated parameters, when the handshake completed.
    var handshakeResult: EventLoopFuture<RawSocketStateMachine.Negotiation> { handshakePromise.futureResult }

    init(
        role: RawSocketStateMachine.Role, configuration: RawSocketConfiguration, metrics: TransportMetrics,
        logger: Logger, handshakePromise: EventLoopPromise<RawSocketStateMachine.Negotiation>
    ) {
        self.metrics = metrics
        self.core = RawSocketProtocolCore(
            role: role, maxReceiveLength: configuration.maxReceiveLength, maxPings: configuration.maxPings)
        self.configuration = configuration
        self.logger = logger
        self.handshakePromise = handshakePromise
        tracesFrames = logger.logLevel <= .trace
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        flushes.dropGathered()
        // A channel that never became active (a failed connect) gets no channelInactive: the
        // promise must still be completed (NIO traps on a leaked promise) and timers stopped.
        stopTimers()
        handshakePromise.fail(RawSocketError(.connectionClosed, "the connection closed before the handshake completed"))
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard handshakeTimer == nil, !closing else { return }
        let timeout = configuration.handshakeTimeout
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let (handler, context) = loopBound.value
            handler.fail(context: context, RawSocketError(.handshakeTimeout, "the handshake did not complete within \(timeout)"))
        }
        if let request = core.start(allocator: context.channel.allocator) {
            logger.trace("RawSocket handshake request sent", metadata: ["octets": "\(request.readableBytesView.map { $0 })"])
            context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        receivedSinceLastTick = true
        // Message payloads go on at once (the hot path; passing them on cannot re-enter this
        // handler). Everything else waits until the core is done with this read: handling it
        // may close the channel and so re-enter the core.
        var deferred: [RawSocketProtocolCore.Event] = []
        core.receive(bytes, allocator: context.channel.allocator) { event in
            if case .message(let payload) = event {
                self.deliver(payload, context: context)
            } else {
                deferred.append(event)
            }
        }
        for event in deferred { handle(event, context: context) }
    }

    private func deliver(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        if tracesFrames {
            logger.trace("RawSocket frame received", metadata: ["type": "MESSAGE", "length": "\(payload.readableBytes)"])
        }
        context.fireChannelRead(wrapInboundOut(payload))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingWrites {
            pendingWrites = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        flushes.dropGathered()  // nowhere to go
        var deferred: [RawSocketProtocolCore.Event] = []
        core.endOfStream { deferred.append($0) }
        for event in deferred { handle(event, context: context) }
        stopTimers()
        handshakePromise.fail(RawSocketError(.connectionClosed, "the connection closed before the handshake completed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A socket or TLS error (a reset, as Crossbar sends for a serializer it does not offer)
        // surfaces from connect, and after the handshake from the inbound sequence, as a
        // RawSocketError carrying the underlying error.
        let failure = error as? RawSocketError
            ?? RawSocketError(.connectionFailed, "the connection failed: \(error)", cause: error)
        handshakePromise.fail(failure)
        context.fireErrorCaught(failure)
        closing = true
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        guard frame.readableBytes > 0 else {
            flushes.writeGathered(context: context)
            context.writeAndFlush(data, promise: promise)
            return
        }
        do {
            try core.machine.checkSend(length: frame.readableBytes - RawSocketFrameHeader.size)
        } catch {
            promise?.fail(error)
            return
        }
        if tracesFrames {
            logger.trace("RawSocket frame sent", metadata: ["type": "MESSAGE", "length": "\(frame.readableBytes - 4)"])
        }
        // A frame whose write reports back, or a large one, goes as it is: no copy, and no
        // promise to share with the frames around it.
        guard promise == nil, frame.readableBytes <= Self.maxGatheredFrame else {
            flushes.writeGathered(context: context)
            context.write(data, promise: promise)
            return
        }
        flushes.gather(frame)
    }

    /// A message frame written in place at the end of the gathered frames (see
    /// ``FrameGatherer``): the same checks as ``write(context:data:promise:)``, without a buffer
    /// of its own.
    func gatherFrame(_ write: (inout ByteBuffer) throws -> Int) throws -> Int {
        guard let context else { throw RawSocketFraming.connectionClosed(cause: nil) }
        // Open? The length is checked against the same limit by the connection. (Not
        // `checkSend(length:)`, which copies the negotiation out of the state.)
        guard core.machine.isOpen else { throw RawSocketError(.connectionClosed, "the connection is not open") }
        let length = try flushes.appendInPlace(context: context, write)
        if tracesFrames { logger.trace("RawSocket frame sent", metadata: ["type": "MESSAGE", "length": "\(length)"]) }
        flushes.flush(context: context)
        return length
    }

    /// Coalesced: see ``FlushCoalescer``.
    func flush(context: ChannelHandlerContext) {
        flushes.flush(context: context)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is RawSocketHeartbeatEvent:
            sendPing(context: context)
            promise?.succeed()
        case is TransportCloseRequest:
            // RawSocket has no closing handshake: what was sent before leaves, then the
            // connection closes.
            closing = true
            stopTimers()
            let channel = context.channel
            pendingWrites = false
            flushes.writeGathered(context: context)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in
                channel.close(promise: nil)
            }
            channel.closeFuture.cascade(to: promise)
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    private func sendPing(context: ChannelHandlerContext) {
        var deferred: [RawSocketProtocolCore.Event] = []
        core.pingDue(allocator: context.channel.allocator) { deferred.append($0) }
        for event in deferred {
            if case .write = event {
                metrics.pingSent()
                logger.trace("RawSocket PING sent", metadata: ["unanswered": "\(core.machine.unansweredPings)"])
            }
            handle(event, context: context)
        }
        if pendingWrites {
            pendingWrites = false
            context.flush()
        }
    }

    private func handle(_ event: RawSocketProtocolCore.Event, context: ChannelHandlerContext) {
        switch event {
        case .write(let bytes):
            writeControl(bytes, context: context)
        case .handshakeCompleted(let negotiation):
            handshakeCompleted = true
            handshakeTimer?.cancel()
            handshakeTimer = nil
            logger.debug(
                "RawSocket handshake completed",
                metadata: [
                    "serializer": "\(negotiation.serializer)", "maxSendLength": "\(negotiation.maxSendLength)",
                    "maxReceiveLength": "\(negotiation.maxReceiveLength)",
                ])
            // The reply (server) must leave before anything else.
            if pendingWrites {
                pendingWrites = false
                context.flush()
            }
            startKeepalive(context: context)
            handshakePromise.succeed(negotiation)
        case .message(let payload):
            deliver(payload, context: context)
        case .pongReceived:
            logger.trace("RawSocket PONG received")
        case .failed(let error):
            fail(context: context, error)
        }
    }

    /// Writes a handshake reply, PING or PONG, counting its octets until they are written.
    private func writeControl(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        flushes.writeGathered(context: context)
        let size = bytes.readableBytes
        controlBytesPending += size
        let promise = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.controlBytesPending -= size
            if handler.readHeld, handler.controlBytesPending <= Self.maxPendingControlBytes {
                handler.readHeld = false
                if context.channel.isActive { context.read() }
            }
        }
        context.write(wrapOutboundOut(bytes), promise: promise)
        pendingWrites = true
    }

    func read(context: ChannelHandlerContext) {
        guard controlBytesPending <= Self.maxPendingControlBytes else {
            readHeld = true
            return
        }
        context.read()
    }

    private func startKeepalive(context: ChannelHandlerContext) {
        guard let interval = configuration.pingInterval.map(TimeAmount.init) else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        receivedSinceLastTick = false
        pingTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (handler, context) = loopBound.value
            // Traffic from the peer shows it is alive: a PING is only needed on a quiet
            // connection.
            if handler.receivedSinceLastTick {
                handler.receivedSinceLastTick = false
            } else {
                handler.sendPing(context: context)
            }
        }
    }

    private func stopTimers() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        pingTimer?.cancel()
        pingTimer = nil
    }

    private func fail(context: ChannelHandlerContext, _ error: RawSocketError) {
        guard !closing else { return }
        closing = true
        logger.debug("RawSocket connection failed", metadata: ["error": "\(error)"])
        if !handshakeCompleted {
            // A refusal sent or received is counted by its handshake error number (1 to 4).
            metrics.handshakeFailed(
                code: error.handshakeErrorCode.map { String($0.networkRepresentation) } ?? error.code.description)
        } else if error.code == .tooManyUnansweredPings {
            metrics.pingsUnanswered(core.machine.unansweredPings)
        } else {
            metrics.protocolError(code: error.code.description)
        }
        stopTimers()
        handshakePromise.fail(error)
        context.fireErrorCaught(error)
        // Anything queued (an error reply) leaves first, then the connection closes.
        flushes.writeGathered(context: context)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in
            channel.close(promise: nil)
        }
        pendingWrites = false
    }
}

@available(*, unavailable)
extension RawSocketChannelHandler: Sendable {}
