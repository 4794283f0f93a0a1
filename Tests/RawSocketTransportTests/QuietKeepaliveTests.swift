import NIOCore
import NIOEmbedded
@_spi(SansIO) @testable import RawSocketTransport
import Testing
import Transport

/// `pingInterval` means the same on both transports: a PING after that long without anything
/// received. (RawSocket used to send one every interval, traffic or not.)
extension ChannelHandlerTests {
    @Test("a RawSocket connection that receives traffic sends no keepalive PING; a quiet one does")
    func keepaliveOnlyOnQuietConnection() throws {
        let h = try Self.openServer(configuration: .init { $0.pingInterval = .seconds(1) })
        // Something arrives within every interval: no PING.
        for _ in 0 ..< 5 {
            h.loop.advanceTime(by: .milliseconds(500))
            h.feed(frameBytes(.message, Array("[1]".utf8)))
            h.loop.advanceTime(by: .milliseconds(500))
            #expect(try h.written().first != 0x01)
        }
        // Then a quiet interval: the PING goes out on the tick after it.
        h.loop.advanceTime(by: .seconds(2))
        #expect(try h.written().first == 0x01)
    }

    /// Before the fix, a handshake word after the handshake was reported as `.badMagic`.
    @Test("a second handshake word is reported as unexpectedHandshake")
    func secondHandshakeIsUnexpected() {
        var machine = RawSocketStateMachine(role: .client(serializer: 1), maxReceiveLength: 1 << 24, maxPings: 10)
        _ = machine.start()
        let reply = RawSocketHandshake.Reply.accepted(maxLength: 1 << 24, serializer: 1).encoded
        guard case .completed = machine.handshakeReceived(reply) else {
            Issue.record("the first reply did not complete the handshake")
            return
        }
        guard case .fail(let code, _) = machine.handshakeReceived(reply) else {
            Issue.record("a second reply did not fail")
            return
        }
        #expect(code == .unexpectedHandshake)
        #expect(RawSocketError(code, "").kind == .protocolViolation)
    }

    /// Before the fix, any error of the decoder's own became `.unexpectedEndOfStream`, as if the
    /// peer had closed mid-frame.
    @Test("a decoder error that is not a RawSocketError is reported as decodingFailed with it as the cause")
    func foreignDecodingErrorKeepsItsCause() {
        struct Foreign: Error {}
        let error = RawSocketProtocolCore.failure(from: Foreign())
        #expect(error.code == .decodingFailed)
        #expect(error.cause is Foreign)
        let own = RawSocketError(.frameTooLarge, "too large")
        #expect(RawSocketProtocolCore.failure(from: own).code == .frameTooLarge)
    }
}
