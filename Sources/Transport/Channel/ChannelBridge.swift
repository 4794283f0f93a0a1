package import NIOCore
import NIOConcurrencyHelpers

/// Connects a transport's channel to async Swift without `NIOAsyncChannel`: received payloads
/// come out of ``payloads`` in batches, and ``write(_:)`` writes directly when called on
/// the channel's event loop.
///
/// Sending is bounded two ways:
/// - on the event loop (the transports' default for handlers), a send writes at once and then,
///   while the channel is not writable (over its write-buffer high-water mark, 64 KiB by
///   default), waits until it is: a peer that stops reading stops the sender;
/// - from another thread, a send hands the message to the loop and, while more than
///   ``maxUnwrittenBytes`` handed over that way are not yet written, waits until its own
///   message is written: a sender cannot get ahead of a slow peer by more than that.
///
/// Received payloads wait in the bridge until taken; above `maxBufferedMessages` untaken the
/// channel stops reading, so a consumer that stops taking stops the peer.
package final class ChannelBridge: Sendable {
    /// The default bound on octets handed to the loop from other threads and not yet written:
    /// 256 KiB.
    package static var defaultMaxUnwrittenBytes: Int { 256 * 1024 }

    package let channel: any Channel
    let storage: ChannelBridgeStorage
    private let handler: NIOLoopBound<ChannelBridgeHandler>
    /// The transport's handler that takes frames written in place, if it does.
    private let gatherer: NIOLoopBound<any FrameGatherer>?
    /// Octets handed to the loop from other threads, not yet written, above which a send
    /// waits for its own message to be written.
    package let maxUnwrittenBytes: Int

    /// Adds the bridge's handler at the end of `channel`'s pipeline. Call on the channel's
    /// event loop.
    ///
    /// - Parameters:
    ///   - maxBufferedMessages: received payloads waiting untaken above which reading stops.
    ///   - maxUnwrittenBytes: see ``maxUnwrittenBytes``.
    ///   - gatherer: the transport's handler, when it takes frames written in place
    ///     (``writeInPlace(_:)``).
    ///   - closedError: makes what sends throw once the connection is closed, from the
    ///     failure that closed it (a write that failed after its send returned), if any.
    package init(
        installingOn channel: any Channel, maxBufferedMessages: Int = 256,
        maxUnwrittenBytes: Int = ChannelBridge.defaultMaxUnwrittenBytes, gatherer: (any FrameGatherer)? = nil,
        closedError: @escaping @Sendable ((any Error)?) -> any Error
    ) throws {
        let storage = ChannelBridgeStorage(maxBufferedMessages: maxBufferedMessages, closedError: closedError)
        let handler = ChannelBridgeHandler(storage: storage)
        try channel.pipeline.syncOperations.addHandler(handler)
        self.channel = channel
        self.storage = storage
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.gatherer = gatherer.map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
        self.maxUnwrittenBytes = maxUnwrittenBytes
    }

    /// The payloads received, in order, each counted in `metrics` as it is taken.
    package func payloads(counting metrics: MessageMetrics) -> PayloadSequence {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return PayloadSequence(storage: storage, metrics: metrics) {
            if eventLoop.inEventLoop {
                handler.value.resumeReading()
            } else {
                eventLoop.execute { handler.value.resumeReading() }
            }
        }
    }

    /// Writes `value` and flushes; waits as described in ``ChannelBridge``.
    ///
    /// A send from another thread that returns before its message is written (under
    /// ``maxUnwrittenBytes``) cannot report that write's failure itself: a failed write closes
    /// the connection, and every later send throws the `closedError` with it as the cause.
    ///
    /// - Throws: the `closedError` given at creation when the connection is closed or
    ///   ``closeOutput()`` was called; `CancellationError` when the task is cancelled while it
    ///   waits (the message is then still written).
    package func write(_ value: ByteBuffer) async throws {
        let size = value.readableBytes
        let eventLoop = channel.eventLoop
        if eventLoop.inEventLoop {
            guard !storage.state.withLockedValue({ $0.outputClosed }) else { throw storage.closedError }
            try handler.value.write(value, promise: nil)
            if !channel.isWritable { try await waitForWritability() }
            return
        }
        let mustWait = try storage.state.withLockedValue { state in
            guard !state.outputClosed else { throw storage.makeClosedError(state.writeFailure) }
            state.unwrittenOffLoop += size
            return state.unwrittenOffLoop > maxUnwrittenBytes
        }
        let promise = eventLoop.makePromise(of: Void.self)
        let shared = self.storage
        let channel = self.channel
        promise.futureResult.whenComplete { result in
            shared.state.withLockedValue { $0.unwrittenOffLoop -= size }
            if case .failure(let error) = result, !mustWait, shared.recordWriteFailure(error) {
                // Nobody waits for this write: the connection must not go on as if it was sent.
                channel.close(promise: nil)
            }
        }
        let handler = self.handler
        eventLoop.execute {
            do {
                try handler.value.write(value, promise: promise)
            } catch {
                promise.fail(error)
            }
        }
        if mustWait {
            do {
                try await promise.futureResult.get()
            } catch {
                throw storage.makeClosedError(error)
            }
        }
    }

    /// Appends one frame in place to what the transport's handler gathers, when the caller is
    /// on the channel's event loop and the transport takes frames that way; returns the
    /// length of its payload, or `nil` when it does not (the caller then writes a buffer of its
    /// own with ``write(_:)``). `frame` appends the frame to the end of the buffer and returns
    /// the length of its payload, or throws and leaves the buffer as it was.
    ///
    /// Waits, as ``write(_:)`` does on the loop, while the channel is not writable.
    ///
    /// - Throws: what `frame` throws (nothing was sent); otherwise as ``write(_:)``.
    package func writeInPlace(_ frame: (inout ByteBuffer) throws -> Int) async throws -> Int? {
        guard let gatherer, channel.eventLoop.inEventLoop else { return nil }
        guard !storage.state.withLockedValue({ $0.outputClosed }) else { throw storage.closedError }
        let length = try gatherer.value.gatherFrame(frame)
        if !channel.isWritable { try await waitForWritability() }
        return length
    }

    /// ``writeInPlace(_:)`` when it needs no wait: on the channel's event loop, with a
    /// transport that takes frames in place, and a channel that is writable. Returns the length
    /// of the frame's payload, or `nil` (nothing was written) when one of these is not so.
    ///
    /// - Throws: what `frame` throws (nothing was sent), or the `closedError` after
    ///   ``closeOutput()``.
    package func writeInPlaceWithoutWaiting(_ frame: (inout ByteBuffer) throws -> Int) throws -> Int? {
        guard let gatherer, channel.eventLoop.inEventLoop, channel.isWritable else { return nil }
        guard !storage.state.withLockedValue({ $0.outputClosed }) else { throw storage.closedError }
        return try gatherer.value.gatherFrame(frame)
    }

    /// Sends nothing more: later writes throw the `closedError`.
    package func closeOutput() {
        storage.state.withLockedValue { $0.outputClosed = true }
    }

    /// Sends nothing more, then closes the connection gracefully (see ``close(_:reason:timeout:)``).
    package func close(reason: TransportCloseRequest.Reason = .normal, timeout: TimeAmount) async {
        closeOutput()
        await Self.close(channel, reason: reason, timeout: timeout)
    }

    /// Closes `channel` gracefully: what was sent before is written, then the transport's own
    /// closing (``TransportCloseRequest``), and the call returns when the channel is closed. A
    /// peer that does not read, or does not answer a closing handshake, cannot make it wait
    /// longer than `timeout`: the channel is closed then. A channel still in its opening
    /// handshake is closed at once.
    package static func close(
        _ channel: any Channel, reason: TransportCloseRequest.Reason, timeout: TimeAmount
    ) async {
        startClosing(channel, reason: reason, timeout: timeout)
        try? await channel.closeFuture.get()
    }

    /// Starts what ``close(_:reason:timeout:)`` does, without waiting for the end.
    package static func startClosing(
        _ channel: any Channel, reason: TransportCloseRequest.Reason, timeout: TimeAmount
    ) {
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in deadline.cancel() }
        channel.triggerUserOutboundEvent(TransportCloseRequest(reason)).whenFailure { _ in
            channel.close(promise: nil)
        }
    }

    private func waitForWritability() async throws {
        let storage = self.storage
        let channel = self.channel
        let id = storage.state.withLockedValue { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                storage.addWritabilityWaiter(id, continuation, channel: channel)
            }
        } onCancel: {
            storage.state.withLockedValue { $0.writabilityWaiters.removeValue(forKey: id) }?
                .resume(throwing: CancellationError())
        }
    }
}
