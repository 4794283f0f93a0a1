import NIOCore
import NIOWebSocket

/// The sans-IO core of a WAMP-over-WebSocket connection after the opening handshake: it
/// reassembles fragmented messages (enforcing the size limit while it does), checks that each
/// message has the frame type the serializer expects and that text is UTF-8, answers PINGs and
/// runs the closing handshake. Each received frame yields one ``Action`` for the channel
/// handler to perform; tests drive it with no channel at all.
struct WebSocketStateMachine: Sendable {
    /// What the handler must do after a frame.
    enum Action: Equatable, Sendable {
        /// Nothing (a fragment was buffered, an ignorable frame).
        case none
        /// Pass a complete message payload on.
        case deliver(ByteBuffer)
        /// Send a PONG with this payload.
        case sendPong(ByteBuffer)
        /// A PONG arrived with this payload.
        case pongReceived(ByteBuffer)
        /// The peer started the closing handshake with this code (`nil`: no code): send a close
        /// frame with `reply` and close the socket.
        case replyToClose(received: UInt16?, reply: UInt16?)
        /// The peer answered this side's close frame: close the socket.
        case closeCompleted(received: UInt16?)
        /// The peer broke a rule: send a close frame with the error's close code and close the
        /// socket.
        case fail(WebSocketError)

        static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case (.none, .none): return true
            case (.deliver(let a), .deliver(let b)), (.sendPong(let a), .sendPong(let b)),
                 (.pongReceived(let a), .pongReceived(let b)):
                return a == b
            case (.replyToClose(let a, let c), .replyToClose(let b, let d)): return a == b && c == d
            case (.closeCompleted(let a), .closeCompleted(let b)): return a == b
            case (.fail(let a), .fail(let b)): return a.code == b.code && a.closeCode == b.closeCode
            default: return false
            }
        }
    }

    /// Whether WAMP messages travel in binary frames (MessagePack) or text frames (JSON).
    let binary: Bool
    /// The largest message accepted, in octets.
    let maxMessageSize: Int
    /// Whether the peer's frames must be masked (`true` on a server: a client masks every
    /// frame) or must not be (`false` on a client); `nil` does not check.
    let peerMasks: Bool?

    private var fragments: ByteBuffer?
    /// Whether this side sent its close frame.
    private(set) var closeSent = false
    /// Whether the peer's close frame arrived.
    private(set) var closeReceived = false

    /// Creates the machine for a connection whose serializer is binary or text.
    init(binary: Bool, maxMessageSize: Int, peerMasks: Bool? = nil) {
        self.binary = binary
        self.maxMessageSize = maxMessageSize
        self.peerMasks = peerMasks
    }

    /// Records that this side sends its close frame now; `false` when one was sent already
    /// (or the peer's arrived), so no second one may be sent.
    mutating func startClosing() -> Bool {
        guard !closeSent, !closeReceived else { return false }
        closeSent = true
        return true
    }

    /// Handles one received frame (its data already unmasked by the decoder).
    mutating func receive(_ frame: WebSocketFrame) -> Action {
        if closeReceived { return .none }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            return fail(.protocolViolation, "a frame with reserved bits set (no extension was negotiated)", WebSocketCloseCode.protocolError)
        }
        if let peerMasks, (frame.maskKey != nil) != peerMasks {
            return fail(
                .protocolViolation, peerMasks ? "an unmasked frame from a client" : "a masked frame from a server",
                WebSocketCloseCode.protocolError)
        }
        switch frame.opcode {
        case .text, .binary:
            if fragments != nil {
                return fail(.protocolViolation, "a new \(frame.opcode) message started inside a fragmented message", WebSocketCloseCode.protocolError)
            }
            let isBinary = frame.opcode == .binary
            guard isBinary == binary else {
                return fail(
                    .unsupportedData,
                    "a \(isBinary ? "binary" : "text") message arrived; the negotiated serializer uses \(binary ? "binary" : "text") messages",
                    WebSocketCloseCode.unsupportedData)
            }
            let data = frame.unmaskedData
            if let tooLarge = checkSize(data.readableBytes) { return tooLarge }
            if frame.fin { return complete(data) }
            fragments = data
            return .none
        case .continuation:
            guard var buffer = fragments else {
                return fail(.protocolViolation, "a continuation frame arrived outside a fragmented message", WebSocketCloseCode.protocolError)
            }
            fragments = nil  // keeps the buffer uniquely referenced while appending
            var data = frame.unmaskedData
            if let tooLarge = checkSize(buffer.readableBytes + data.readableBytes) { return tooLarge }
            buffer.writeBuffer(&data)
            if frame.fin { return complete(buffer) }
            fragments = buffer
            return .none
        case .ping:
            return closeSent ? .none : .sendPong(frame.unmaskedData)
        case .pong:
            return .pongReceived(frame.unmaskedData)
        case .connectionClose:
            return receiveClose(frame.unmaskedData)
        default:
            return fail(.protocolViolation, "a frame with the unknown opcode \(frame.opcode)", WebSocketCloseCode.protocolError)
        }
    }

    private mutating func receiveClose(_ data: ByteBuffer) -> Action {
        var data = data
        closeReceived = true
        fragments = nil
        let code: UInt16?
        switch data.readableBytes {
        case 0:
            code = nil
        case 1:
            return failAfterClose("a close frame with a 1-octet body (a code has 2)")
        default:
            code = data.readInteger(as: UInt16.self)
            if let code, !Self.isValidReceivedCloseCode(code) {
                return failAfterClose("a close frame with the code \(code), which may not be sent")
            }
            if !Self.isValidUTF8(data.readableBytesView) {
                return failAfterClose("a close frame whose reason is not UTF-8")
            }
        }
        if closeSent { return .closeCompleted(received: code) }
        closeSent = true
        // The usual reply echoes the code; an unknown one gets 1000.
        let reply: UInt16? = code.map { Self.isValidReceivedCloseCode($0) ? $0 : WebSocketCloseCode.normalClosure }
        return .replyToClose(received: code, reply: reply)
    }

    private mutating func failAfterClose(_ message: String) -> Action {
        closeReceived = false  // lets fail() send its close frame
        let action = fail(.protocolViolation, message, WebSocketCloseCode.protocolError)
        closeReceived = true
        return action
    }

    private func checkSize(_ size: Int) -> Action? {
        guard size > maxMessageSize else { return nil }
        return .fail(WebSocketError(
            .messageTooLarge, "a message of at least \(size) octets exceeds the limit of \(maxMessageSize) octets",
            closeCode: WebSocketCloseCode.messageTooBig))
    }

    private mutating func complete(_ message: ByteBuffer) -> Action {
        if !binary, !Self.isValidUTF8(message.readableBytesView) {
            return fail(.invalidUTF8, "a text message of \(message.readableBytes) octets is not valid UTF-8", WebSocketCloseCode.invalidPayloadData)
        }
        return .deliver(message)
    }

    private mutating func fail(_ code: WebSocketError.Code, _ message: String, _ closeCode: UInt16) -> Action {
        fragments = nil
        let send = !closeSent && !closeReceived
        closeSent = true
        return .fail(WebSocketError(code, message, closeCode: send ? closeCode : nil))
    }

    /// Whether a peer may send `code` in a close frame (RFC 6455 section 7.4): 1000-1003,
    /// 1007-1011, 3000-4999.
    static func isValidReceivedCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000 ... 1003, 1007 ... 1011, 3000 ... 4999: return true
        default: return false
        }
    }

    /// Whether the bytes are valid UTF-8; ASCII (the usual JSON) is checked without decoding.
    static func isValidUTF8(_ bytes: ByteBufferView) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
