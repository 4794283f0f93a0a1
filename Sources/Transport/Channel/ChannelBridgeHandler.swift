package import NIOCore

/// The last handler of a connection's pipeline: it hands received payloads to the connection's
/// ``PayloadSequence``, holds reads back while too many wait untaken, tells senders when the
/// channel becomes writable again, and writes what ``ChannelBridge`` sends on the loop.
///
/// The transport's own handler, before it in the pipeline, passes on one `ByteBuffer` per
/// message and takes one `ByteBuffer` per message to write.
package final class ChannelBridgeHandler: ChannelDuplexHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    let storage: ChannelBridgeStorage
    private var context: ChannelHandlerContext?
    private var readHeld = false

    init(storage: ChannelBridgeStorage) {
        self.storage = storage
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        end(nil)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        storage.receive(unwrapInboundIn(data))?.resume()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(error)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        end(nil)
        context.fireChannelInactive()
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            for waiter in storage.takeWritabilityWaiters() { waiter.resume() }
        }
        context.fireChannelWritabilityChanged()
    }

    package func read(context: ChannelHandlerContext) {
        if storage.mayRead() {
            context.read()
        } else {
            readHeld = true
        }
    }

    /// The consumer took the waiting payloads: reads again if a read was held back.
    func resumeReading() {
        guard readHeld, let context else { return }
        readHeld = false
        context.read()
    }

    /// Writes and flushes (the transport handler coalesces flushes), on the loop.
    func write(_ value: ByteBuffer, promise: EventLoopPromise<Void>?) throws {
        guard let context else { throw storage.closedError }
        context.write(wrapOutboundOut(value), promise: promise)
        context.flush()
    }

    private func end(_ error: (any Error)?) {
        storage.finish(error)?.resume()
        for waiter in storage.closeOutput() { waiter.resume(throwing: storage.closedError) }
    }
}

@available(*, unavailable)
extension ChannelBridgeHandler: Sendable {}
