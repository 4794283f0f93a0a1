public import NIOCore

/// Splits a RawSocket byte stream into the 4-octet handshake word and then frames,
/// validating each frame header the moment it is read: a frame over the receive limit, of a
/// reserved type or with reserved bits set is refused before any of its payload is buffered.
///
/// Runs inside a pipeline (`ByteToMessageHandler`) or outside one
/// (`NIOSingleStepByteToMessageProcessor`), as ``RawSocketProtocolCore`` uses it.
@_spi(SansIO) public struct RawSocketFrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// One decoded unit of the stream.
    public enum Unit: Hashable, Sendable {
        /// The peer's 4-octet handshake (request or reply), as a big-endian word.
        case handshake(UInt32)
        /// A frame: its header and its payload.
        case frame(RawSocketFrameHeader, ByteBuffer)
    }

    public typealias InboundOut = Unit

    private enum State {
        case awaitingHandshake
        case awaitingHeader
        case awaitingPayload(RawSocketFrameHeader)
    }

    private var state = State.awaitingHandshake
    /// The receive limit this side announced.
    public let maxLength: Int

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - maxLength: the receive limit this side announced (2^9 ... 2^24).
    ///   - expectsHandshake: whether the stream starts with a handshake word (false for a
    ///     stream that is already past it).
    public init(maxLength: Int, expectsHandshake: Bool = true) {
        self.maxLength = maxLength
        self.state = expectsHandshake ? .awaitingHandshake : .awaitingHeader
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Unit? {
        switch state {
        case .awaitingHandshake:
            guard let word = buffer.readInteger(as: UInt32.self) else { return nil }
            state = .awaitingHeader
            return .handshake(word)
        case .awaitingHeader:
            guard let word = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
            let header = try RawSocketFrameHeader(parsing: word, maxLength: maxLength)
            buffer.moveReaderIndex(forwardBy: 4)
            state = .awaitingPayload(header)
            return try decode(buffer: &buffer)
        case .awaitingPayload(let header):
            guard let payload = buffer.readSlice(length: header.length) else { return nil }
            state = .awaitingHeader
            return .frame(header, payload)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Unit? {
        if let unit = try decode(buffer: &buffer) { return unit }
        guard buffer.readableBytes == 0 else {
            throw RawSocketError(.unexpectedEndOfStream, "the stream ended inside a \(partDescription) (\(buffer.readableBytes) octets left)")
        }
        if case .awaitingPayload(let header) = state {
            throw RawSocketError(.unexpectedEndOfStream, "the stream ended before the \(header.length)-octet payload of a \(header.type) frame")
        }
        return nil
    }

    private var partDescription: String {
        switch state {
        case .awaitingHandshake: return "handshake"
        case .awaitingHeader: return "frame header"
        case .awaitingPayload: return "frame payload"
        }
    }
}
