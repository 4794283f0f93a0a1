public import NIOCore

/// The RawSocket protocol as a pure state machine, without I/O: handshake negotiation for
/// both roles, frame handling, PING/PONG bookkeeping and send-size checks.
///
/// Each event returns a small action for the caller (a channel handler, or any other byte
/// stream driver) to perform.
@_spi(SansIO) public struct RawSocketStateMachine: Sendable {
    /// The side of the connection.
    public enum Role: Sendable, Hashable {
        /// A client asking for one serializer.
        case client(serializer: UInt8)
        /// A server accepting a list of serializers; `refusal`, when set, refuses every
        /// handshake with that code (used for the connection limit).
        case server(acceptedSerializers: [UInt8], refusal: RawSocketHandshakeErrorCode?)
    }

    /// What was agreed in the handshake.
    public struct Negotiation: Hashable, Sendable {
        /// The serializer value both sides use.
        public var serializer: UInt8
        /// The peer's receive limit: the largest payload this side may send.
        public var maxSendLength: Int
        /// This side's receive limit.
        public var maxReceiveLength: Int
    }

    /// What to do after the handshake word of the peer arrived.
    public enum HandshakeAction: Sendable, Hashable {
        /// The connection is open; a server writes `reply` first.
        case completed(Negotiation, reply: UInt32?)
        /// Write the error reply `reply`, then close (server).
        case refuse(reply: UInt32, RawSocketError.Code, reason: String)
        /// Fail and close without writing anything.
        case fail(RawSocketError.Code, reason: String)
    }

    /// What to do after a frame arrived.
    public enum FrameAction: Sendable, Hashable {
        /// Deliver a WAMP message payload.
        case deliver(ByteBuffer)
        /// Answer a PING with a PONG carrying this payload.
        case sendPong(ByteBuffer)
        /// A PONG that answered one of our PINGs.
        case pongReceived
        /// Nothing to do (an unsolicited PONG).
        case ignore
        /// The frame arrived in a state where it is not allowed.
        case fail(RawSocketError.Code, reason: String)
    }

    /// What to do when a PING is due.
    public enum PingAction: Sendable, Hashable {
        /// Write a PING with this payload.
        case sendPing(ByteBuffer)
        /// Too many PINGs are unanswered: close the connection.
        case fail(RawSocketError.Code, reason: String)
        /// The connection is not open; nothing to do.
        case none
    }

    private enum State: Sendable {
        case idle
        case awaitingHandshake
        case open(Negotiation)
        case closed
    }

    /// The side of this connection.
    public let role: Role
    /// This side's receive limit (a power of two from 512 to 2^24).
    public let maxReceiveLength: Int
    /// How many PINGs may be unanswered before the connection is given up.
    public let maxPings: Int

    private var state = State.idle
    private var outstandingPings: [ByteBuffer] = []
    private var pingCounter: UInt64 = 0

    /// Creates a state machine.
    public init(role: Role, maxReceiveLength: Int, maxPings: Int) {
        self.role = role
        self.maxReceiveLength = maxReceiveLength
        self.maxPings = maxPings
    }

    /// The negotiated parameters, once the handshake completed.
    public var negotiation: Negotiation? {
        if case .open(let n) = state { return n }
        return nil
    }

    /// The number of PINGs sent and not yet answered.
    public var unansweredPings: Int { outstandingPings.count }

    /// Starts the connection: a client returns the handshake request to write.
    public mutating func start() -> UInt32? {
        guard case .idle = state else { return nil }
        state = .awaitingHandshake
        switch role {
        case .client(let serializer):
            return RawSocketHandshake.Request(maxLength: maxReceiveLength, serializer: serializer).encoded
        case .server:
            return nil
        }
    }

    /// The peer's handshake word arrived.
    public mutating func handshakeReceived(_ word: UInt32) -> HandshakeAction {
        if case .idle = state { state = .awaitingHandshake }
        guard case .awaitingHandshake = state else {
            state = .closed
            return .fail(.unexpectedHandshake, reason: "a second handshake word arrived after the handshake")
        }
        switch role {
        case .client(let serializer):
            do {
                let peerMax = try RawSocketHandshake.Reply.parse(word, requestedSerializer: serializer)
                let n = Negotiation(serializer: serializer, maxSendLength: peerMax, maxReceiveLength: maxReceiveLength)
                state = .open(n)
                return .completed(n, reply: nil)
            } catch {
                state = .closed
                return .fail(error.code, reason: error.message)
            }
        case .server(let accepted, let refusal):
            let parsed: RawSocketHandshake.Request.Parsed
            do {
                parsed = try RawSocketHandshake.Request.parse(word)
            } catch {
                state = .closed
                return .fail(error.code, reason: error.message)
            }
            switch parsed {
            case .refuse(let code, let reason):
                state = .closed
                let errorCode: RawSocketError.Code =
                    code == .serializerUnsupported ? .serializerUnsupported : .reservedBitsSet
                return .refuse(reply: RawSocketHandshake.Reply.refused(code).encoded, errorCode, reason: reason)
            case .request(let request):
                if let refusal {
                    state = .closed
                    return .refuse(
                        reply: RawSocketHandshake.Reply.refused(refusal).encoded, .handshakeRefused,
                        reason: "refused with error \(refusal)")
                }
                guard accepted.contains(request.serializer) else {
                    state = .closed
                    return .refuse(
                        reply: RawSocketHandshake.Reply.refused(.serializerUnsupported).encoded, .serializerUnsupported,
                        reason: "serializer \(request.serializer) is not among the accepted \(accepted)")
                }
                let n = Negotiation(
                    serializer: request.serializer, maxSendLength: request.maxLength, maxReceiveLength: maxReceiveLength)
                state = .open(n)
                return .completed(
                    n, reply: RawSocketHandshake.Reply.accepted(maxLength: maxReceiveLength, serializer: request.serializer).encoded)
            }
        }
    }

    /// A frame arrived (its header already validated by ``RawSocketFrameDecoder``).
    public mutating func frameReceived(_ header: RawSocketFrameHeader, payload: ByteBuffer) -> FrameAction {
        guard case .open = state else {
            return .fail(.connectionClosed, reason: "a \(header.type) frame arrived before the handshake completed")
        }
        switch header.type {
        case .message:
            return .deliver(payload)
        case .ping:
            return .sendPong(payload)
        case .pong:
            // A PONG answers the PING with the same payload, and with it every older one.
            guard let index = outstandingPings.firstIndex(of: payload) else { return .ignore }
            outstandingPings.removeFirst(index + 1)
            return .pongReceived
        default:
            return .fail(.reservedFrameType, reason: "frame type \(header.type.networkRepresentation) is reserved")
        }
    }

    /// A PING is due (by the keepalive timer or by hand). Returns the PING to write, or a
    /// failure when more than ``maxPings`` would be unanswered.
    public mutating func pingDue(allocator: ByteBufferAllocator) -> PingAction {
        guard case .open = state else { return .none }
        guard outstandingPings.count < maxPings else {
            return .fail(
                .tooManyUnansweredPings, reason: "\(outstandingPings.count) PINGs unanswered (maxPings \(maxPings))")
        }
        pingCounter &+= 1
        var payload = allocator.buffer(capacity: 8)
        payload.writeInteger(pingCounter)
        outstandingPings.append(payload)
        return .sendPing(payload)
    }

    /// Checks that a payload of `length` octets may be sent to the peer.
    ///
    /// - Throws: ``RawSocketError/Code/connectionClosed`` before the handshake or after close,
    ///   ``RawSocketError/Code/messageTooLarge`` over the peer's limit.
    /// Whether the handshake completed and the connection is not closed: messages may be sent.
    /// Reads the state without copying the negotiation out of it.
    public var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    public func checkSend(length: Int) throws(RawSocketError) {
        guard case .open(let n) = state else {
            throw RawSocketError(.connectionClosed, "the connection is not open")
        }
        guard length <= n.maxSendLength else {
            throw RawSocketError(
                .messageTooLarge, "a message of \(length) octets exceeds the peer's limit of \(n.maxSendLength) octets")
        }
    }

    /// The connection closed.
    public mutating func closed() {
        state = .closed
        outstandingPings.removeAll()
    }
}
