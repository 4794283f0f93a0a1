public import NIOCore

/// The whole RawSocket protocol without I/O: bytes in, events and bytes out.
///
/// It combines ``RawSocketFrameDecoder`` (handshake word, then frames, each header validated
/// before its payload is buffered) with ``RawSocketStateMachine`` (negotiation, PING/PONG,
/// limits), so that RawSocket runs over any byte stream: a NIO channel (as
/// `RawSocketChannelHandler` does), a test, a fuzzer.
///
/// ```swift
/// var core = RawSocketProtocolCore(role: .client(serializer: 2), maxReceiveLength: 1 << 24, maxPings: 10)
/// if let hello = core.start(allocator: allocator) { socket.write(hello) }
/// try core.receive(bytesFromSocket) { event in
///     switch event {
///     case .write(let bytes): socket.write(bytes)
///     case .message(let payload): handle(payload)
///     ...
///     }
/// }
/// ```
///
/// Not `Sendable`: use it from one thread (a channel's event loop).
@_spi(SansIO) public struct RawSocketProtocolCore {
    /// Something the driver must do or learn.
    public enum Event {
        /// Write these bytes to the peer.
        case write(ByteBuffer)
        /// The handshake completed.
        case handshakeCompleted(RawSocketStateMachine.Negotiation)
        /// A WAMP message payload arrived.
        case message(ByteBuffer)
        /// A PONG answering one of our PINGs arrived.
        case pongReceived
        /// The connection failed: close it (after writing any ``write(_:)`` already given).
        case failed(RawSocketError)
    }

    private let processor: NIOSingleStepByteToMessageProcessor<RawSocketFrameDecoder>
    /// The protocol state.
    public private(set) var machine: RawSocketStateMachine
    private var failed = false

    /// The received octets not decoded yet: part of a handshake word, of a frame header or of
    /// a frame's payload. Below the receive limit while the connection works, because a frame
    /// header is checked against the limit before any of its payload is kept (after a
    /// ``Event/failed(_:)`` the rest of the last received bytes may stay here until the core
    /// is dropped).
    public var bufferedByteCount: Int { processor.unprocessedBytes }

    /// Creates the core.
    ///
    /// - Parameters:
    ///   - role: client (with its serializer) or server (with the accepted serializers).
    ///   - maxReceiveLength: this side's receive limit, a power of two from 512 to 2^24.
    ///   - maxPings: how many PINGs may be unanswered before the connection is given up.
    public init(role: RawSocketStateMachine.Role, maxReceiveLength: Int, maxPings: Int) {
        machine = RawSocketStateMachine(role: role, maxReceiveLength: maxReceiveLength, maxPings: maxPings)
        processor = NIOSingleStepByteToMessageProcessor(RawSocketFrameDecoder(maxLength: maxReceiveLength))
    }

    /// Starts the connection; a client gets its handshake request to write.
    public mutating func start(allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let word = machine.start() else { return nil }
        var buffer = allocator.buffer(capacity: 4)
        buffer.writeInteger(word)
        return buffer
    }

    /// Feeds received bytes; `onEvent` is called for each resulting event, in order. After a
    /// ``Event/failed(_:)`` no further bytes are processed.
    public mutating func receive(
        _ bytes: ByteBuffer, allocator: ByteBufferAllocator, _ onEvent: (Event) -> Void
    ) {
        guard !failed else { return }
        do {
            try processor.process(buffer: bytes) { unit in
                try self.handle(unit, allocator: allocator, onEvent)
            }
        } catch {
            fail(error, onEvent)
        }
    }

    /// The peer closed its side: reports a handshake or frame cut short.
    public mutating func endOfStream(_ onEvent: (Event) -> Void) {
        guard !failed else { return }
        do {
            try processor.finishProcessing(seenEOF: true) { unit in
                try self.handle(unit, allocator: ByteBufferAllocator(), onEvent)
            }
            if machine.negotiation == nil, case .client = machine.role {
                fail(RawSocketError(.unexpectedEndOfStream, "the server closed the connection during the handshake"), onEvent)
            }
        } catch {
            fail(error, onEvent)
        }
        machine.closed()
    }

    /// A PING is due: writes one, or fails the connection when too many are unanswered.
    public mutating func pingDue(allocator: ByteBufferAllocator, _ onEvent: (Event) -> Void) {
        guard !failed else { return }
        switch machine.pingDue(allocator: allocator) {
        case .sendPing(let payload):
            onEvent(.write(Self.frame(.ping, payload: payload, allocator: allocator)))
        case .fail(let code, let reason):
            fail(RawSocketError(code, reason), onEvent)
        case .none:
            break
        }
    }

    /// The error number of a refusal handshake word: its high nibble of the second octet
    /// (`0x7F | EEEE 0000 | 0 | 0`).
    static func refusalCode(in word: UInt32) -> RawSocketHandshakeErrorCode? {
        RawSocketHandshakeErrorCode(encoded: UInt8(truncatingIfNeeded: word >> 20) & 0x0F)
    }

    /// Builds a frame: header and payload in one buffer.
    public static func frame(_ type: RawSocketFrameType, payload: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: RawSocketFrameHeader.size + payload.readableBytes)
        RawSocketFrameHeader(type: type, length: payload.readableBytes).write(to: &buffer)
        buffer.writeImmutableBuffer(payload)
        return buffer
    }

    private mutating func handle(
        _ unit: RawSocketFrameDecoder.Unit, allocator: ByteBufferAllocator, _ onEvent: (Event) -> Void
    ) throws {
        guard !failed else { return }
        switch unit {
        case .handshake(let word):
            switch machine.handshakeReceived(word) {
            case .completed(let negotiation, let reply):
                if let reply {
                    var buffer = allocator.buffer(capacity: 4)
                    buffer.writeInteger(reply)
                    onEvent(.write(buffer))
                }
                onEvent(.handshakeCompleted(negotiation))
            case .refuse(let reply, let code, let reason):
                var buffer = allocator.buffer(capacity: 4)
                buffer.writeInteger(reply)
                onEvent(.write(buffer))
                // The refusal we send carries its error number like the one we receive, so that
                // both sides count and report it the same way.
                throw RawSocketError(code, reason, handshakeErrorCode: Self.refusalCode(in: reply))
            case .fail(let code, let reason):
                let refusalCode = code == .handshakeRefused ? Self.refusalCode(in: word) : nil
                throw RawSocketError(code, reason, handshakeErrorCode: refusalCode)
            }
        case .frame(let header, let payload):
            switch machine.frameReceived(header, payload: payload) {
            case .deliver(let payload):
                onEvent(.message(payload))
            case .sendPong(let payload):
                onEvent(.write(Self.frame(.pong, payload: payload, allocator: allocator)))
            case .pongReceived:
                onEvent(.pongReceived)
            case .ignore:
                break
            case .fail(let code, let reason):
                throw RawSocketError(code, reason)
            }
        }
    }

    private mutating func fail(_ error: any Error, _ onEvent: (Event) -> Void) {
        failed = true
        machine.closed()
        onEvent(.failed(Self.failure(from: error)))
    }

    /// The error a decoding failure is reported as: a ``RawSocketError`` as it is, anything else
    /// (an error of NIO's byte-to-message processor) as ``RawSocketError/Code/decodingFailed``
    /// with it as the cause.
    static func failure(from error: any Error) -> RawSocketError {
        error as? RawSocketError ?? RawSocketError(.decodingFailed, "the frame decoder failed: \(error)", cause: error)
    }
}
