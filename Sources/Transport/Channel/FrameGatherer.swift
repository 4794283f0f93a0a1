package import NIOCore

/// A transport's channel handler that takes complete frames written in place, at the end of
/// the buffer its ``FlushCoalescer`` gathers: a message sent on the event loop then needs no
/// buffer of its own, no copy into the gathered one and no trip down the pipeline.
///
/// ``ChannelBridge`` uses it for sends on the channel's event loop when the transport gave one
/// (RawSocket does; WebSocket, whose frame header depends on the length, does not). The frames
/// keep their order with everything else the handler writes, because they are in the same
/// gathered buffer.
package protocol FrameGatherer: AnyObject {
    /// Appends one complete frame: `write` appends it to the end of the buffer and returns the
    /// length of its payload, or throws and leaves the buffer as it was. Then counts the frame
    /// for the coalesced flush, and returns what `write` returned. Call on the event loop.
    ///
    /// - Throws: what `write` throws; the transport's error when it cannot send any more (the
    ///   connection is closing or closed), and then `write` is not called.
    func gatherFrame(_ write: (inout ByteBuffer) throws -> Int) throws -> Int
}
