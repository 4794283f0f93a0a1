import NIOCore
import NIOWebSocket
import Testing
@testable import WebSocketTransport

/// The sans-IO core: reassembly, size limit, frame types, UTF-8, PING and the closing handshake.
@Suite("WebSocket state machine")
struct StateMachineTests {
    func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
    }

    func frame(_ opcode: WebSocketOpcode, bytes: [UInt8], fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(bytes: bytes))
    }

    @Test("a message split over three frames is delivered once, reassembled")
    func fragmentsAreReassembled() {
        var machine = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action19 = machine.receive(frame(.text, "[1,", fin: false))
        #expect(action19 == .none)
        let action21 = machine.receive(frame(.continuation, "\"realm1\",", fin: false))
        #expect(action21 == .none)
        let action23 = machine.receive(frame(.continuation, "{}]"))
        #expect(action23 == .deliver(ByteBuffer(string: "[1,\"realm1\",{}]")))
    }

    @Test("a PING between fragments is answered and the message still completes")
    func pingBetweenFragments() {
        var machine = WebSocketStateMachine(binary: true, maxMessageSize: 100)
        let action30 = machine.receive(frame(.binary, bytes: [1, 2], fin: false))
        #expect(action30 == .none)
        let action32 = machine.receive(frame(.ping, "p"))
        #expect(action32 == .sendPong(ByteBuffer(string: "p")))
        let action34 = machine.receive(frame(.continuation, bytes: [3]))
        #expect(action34 == .deliver(ByteBuffer(bytes: [1, 2, 3])))
    }

    @Test("the size limit is enforced while reassembling: close code 1009")
    func oversizeWhileReassembling() {
        var machine = WebSocketStateMachine(binary: false, maxMessageSize: 10)
        let action41 = machine.receive(frame(.text, "123456", fin: false))
        #expect(action41 == .none)
        let action = machine.receive(frame(.continuation, "7890X", fin: false))
        #expect(action == .fail(WebSocketError(.messageTooLarge, "", closeCode: 1009)))
    }

    @Test("a single frame over the limit is refused with 1009")
    func oversizeFrame() {
        var machine = WebSocketStateMachine(binary: true, maxMessageSize: 4)
        let action50 = machine.receive(frame(.binary, bytes: [1, 2, 3, 4, 5]))
        #expect(action50 == .fail(WebSocketError(.messageTooLarge, "", closeCode: 1009)))
    }

    @Test("a text message for MessagePack, or binary for JSON, is refused with 1003")
    func wrongFrameType() {
        var msgpack = WebSocketStateMachine(binary: true, maxMessageSize: 100)
        let action57 = msgpack.receive(frame(.text, "[1]"))
        #expect(action57 == .fail(WebSocketError(.unsupportedData, "", closeCode: 1003)))
        var json = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action60 = json.receive(frame(.binary, bytes: [0x91, 1]))
        #expect(action60 == .fail(WebSocketError(.unsupportedData, "", closeCode: 1003)))
    }

    @Test("a text message that is not UTF-8 is refused with 1007, also when split inside a character")
    func invalidUTF8() {
        var machine = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action67 = machine.receive(frame(.text, bytes: [0x22, 0xC3, 0x28, 0x22]))
        #expect(action67 == .fail(WebSocketError(.invalidUTF8, "", closeCode: 1007)))
        var split = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action70 = split.receive(frame(.text, bytes: [0x22, 0xC3], fin: false))
        #expect(action70 == .none)
        let action72 = split.receive(frame(.continuation, bytes: [0xA9, 0x22]))
        #expect(action72 == .deliver(ByteBuffer(bytes: [0x22, 0xC3, 0xA9, 0x22])))
    }

    @Test("continuation without a start, a new message inside a fragmented one, reserved bits: 1002")
    func protocolViolations() {
        var a = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action79 = a.receive(frame(.continuation, "x"))
        #expect(action79 == .fail(WebSocketError(.protocolViolation, "", closeCode: 1002)))
        var b = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        _ = b.receive(frame(.text, "x", fin: false))
        let action83 = b.receive(frame(.text, "y"))
        #expect(action83 == .fail(WebSocketError(.protocolViolation, "", closeCode: 1002)))
        var c = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        var reserved = frame(.text, "[]")
        reserved.rsv1 = true
        let action88 = c.receive(reserved)
        #expect(action88 == .fail(WebSocketError(.protocolViolation, "", closeCode: 1002)))
    }

    @Test("the peer's close is answered with its code once; later frames are ignored")
    func peerInitiatedClose() {
        var machine = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action95 = machine.receive(frame(.connectionClose, bytes: [0x03, 0xE9]))
        #expect(action95 == .replyToClose(received: 1001, reply: 1001))
        #expect(machine.closeSent)
        let action98 = machine.receive(frame(.text, "[1]"))
        #expect(action98 == .none)
        let started100 = machine.startClosing()
        #expect(!started100)
    }

    @Test("a close without a code is answered without a code; a code that may not be sent is a violation")
    func closeCodes() {
        var empty = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action107 = empty.receive(frame(.connectionClose, bytes: []))
        #expect(action107 == .replyToClose(received: nil, reply: nil))
        var reserved = WebSocketStateMachine(binary: false, maxMessageSize: 100)
        let action110 = reserved.receive(frame(.connectionClose, bytes: [0x03, 0xED]))
        #expect(action110 == .fail(WebSocketError(.protocolViolation, "", closeCode: 1002)))
    }

    @Test("after this side's close, the peer's close completes the handshake and PINGs are not answered")
    func locallyInitiatedClose() {
        var machine = WebSocketStateMachine(binary: true, maxMessageSize: 100)
        let started117 = machine.startClosing()
        #expect(started117)
        let started119 = machine.startClosing()
        #expect(!started119)
        let action121 = machine.receive(frame(.binary, bytes: [0x90]))
        #expect(action121 == .deliver(ByteBuffer(bytes: [0x90])))
        let action123 = machine.receive(frame(.ping, "p"))
        #expect(action123 == .none)
        let action125 = machine.receive(frame(.connectionClose, bytes: [0x03, 0xE8]))
        #expect(action125 == .closeCompleted(received: 1000))
    }
}
