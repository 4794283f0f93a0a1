import JSONSerializer
import MsgPackSerializer
import NIOCore
import SerializerTestSupport
import Testing
import Transport

/// The `Args` and `Kw` of a message read with MessagePack stay serialized until read, and are
/// written back as they are by a MessagePack serializer.
@Suite("MessagePack serialized payloads")
struct SerializedPayloadTests {
    let msgpack = keepingEveryPayloadSerialized

    /// `[48, 7, {}, "p", [1, "a"], {"k": true}]` with the `1` in Args written as a uint32
    /// (`ce 00000001`): valid MessagePack that this serializer never writes itself, so only a
    /// copy of the received bytes reproduces it.
    static let callWithWideInteger = bytes("96 30 07 80 a1 70 92 ce00000001 a1 61 81 a1 6b c3")
    static let callDecoded = WAMPMessage.call(.init(request: 7, procedure: "p", payload: .arguments([1, "a"], ["k": true])))

    @Test("a CALL's Args and Kw stay serialized, read as the values they hold")
    func callArgumentsStaySerialized() throws {
        let message = try msgpack.deserialize(Self.callWithWideInteger)
        guard case .call(let call) = message, case .serialized(let payload) = call.payload else {
            Issue.record("expected a CALL with a serialized payload, got \(message)")
            return
        }
        #expect(payload.hasKeywords)
        #expect(payload.bytes == ByteBuffer(bytes: bytes("92 ce00000001 a1 61 81 a1 6b c3")))
        #expect(call.args == [1, "a"] && call.kwargs == ["k": true])
        #expect(try call.payload.decodeArgs([WAMPValue].self) == [1, "a"])
        #expect(message == Self.callDecoded)
        #expect(Set([message, Self.callDecoded]).count == 1, "equal messages hash alike")
    }

    @Test("strings of valid UTF-8 beyond ASCII pass the check of a payload kept serialized")
    func nonASCIIStringsPass() throws {
        let strings: [WAMPValue] = ["plain", "naïve", "☃ 日本語", .string(String(repeating: "a", count: 40) + "é"), "🎉"]
        let call = WAMPMessage.call(.init(request: 7, procedure: "p", payload: .arguments(strings, ["ключ": "значение"])))
        var buffer = ByteBuffer()
        try msgpack.serialize(call, into: &buffer)
        let message = try msgpack.deserialize(buffer)
        guard case .serialized? = message.payload else {
            Issue.record("expected a serialized payload, got \(message)")
            return
        }
        #expect(message == call)
    }

    @Test("MessagePack writes a serialized payload back byte for byte")
    func sameSerializerCopiesTheBytes() throws {
        let message = try msgpack.deserialize(Self.callWithWideInteger)
        #expect(try msgpack.serialize(message) == Self.callWithWideInteger)
        // Moved into another message (what a router does): still copied.
        guard case .call(let call) = message else { return }
        let invocation = WAMPMessage.invocation(.init(request: 1, registration: 2, payload: call.payload))
        #expect(try msgpack.serialize(invocation) == bytes("96 44 01 02 80 92 ce00000001 a1 61 81 a1 6b c3"))
    }

    @Test("JSON writes a serialized MessagePack payload decoded")
    func otherSerializerDecodes() throws {
        let json = WAMPJSONSerializer()
        let message = try msgpack.deserialize(Self.callWithWideInteger)
        let text: [UInt8] = try json.serialize(message)
        #expect(try json.deserialize(text) == Self.callDecoded)
        #expect(!text.contains(0xce), "written as JSON text")
    }

    @Test("Args alone, no payload, and a passthru binary keep their forms", arguments: [
        ("EVENT with Args", "95 24 01 02 80 91 a1 78", WAMPPayload.arguments(["x"], [:]), true),
        ("EVENT without payload", "94 24 01 02 80", WAMPPayload.empty, false),
        ("EVENT with a passthru binary", "95 24 01 02 80 c4 02 0102", WAMPPayload.transparent([1, 2]), false),
        ("EVENT with empty Args and Kw", "96 24 01 02 80 90 80", WAMPPayload.empty, true),
    ])
    func payloadForms(_ name: String, hex: String, expected: WAMPPayload, serialized: Bool) throws {
        let message = try msgpack.deserialize(bytes(hex))
        guard case .event(let event) = message else {
            Issue.record("\(name): expected an EVENT, got \(message)")
            return
        }
        if case .serialized = event.payload { #expect(serialized, "\(name)") } else { #expect(!serialized, "\(name)") }
        #expect(event.payload == expected, "\(name)")
        #expect(try msgpack.serialize(message) == bytes(hex), "\(name)")
    }

    @Test("every payload-carrying type keeps its payload serialized and round-trips", arguments: [
        "96 30 01 80 a1 70 91 01 80",  // CALL
        "95 32 01 80 91 01 80",  // RESULT
        "96 44 01 02 80 91 01 80",  // INVOCATION
        "95 46 01 80 91 01 80",  // YIELD
        "96 10 01 80 a1 74 91 01 80",  // PUBLISH
        "96 24 01 02 80 91 01 80",  // EVENT
        "97 08 30 01 80 a1 65 91 01 80",  // ERROR
        "95 03 80 a1 72 91 01 80",  // ABORT
    ])
    func everyPayloadType(hex: String) throws {
        let message = try msgpack.deserialize(bytes(hex))
        guard case .serialized? = message.payload else {
            Issue.record("\(message.type): payload \(String(describing: message.payload))")
            return
        }
        #expect(message.payload?.args == [1])
        #expect(try msgpack.serialize(message) == bytes(hex))
    }
}

extension SerializedPayloadTests {
    @Test("a small payload read with much else is copied out, not kept as a slice of the whole read")
    func smallPayloadInLargeReadIsCopied() throws {
        var read = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        read.writeBytes(Self.callWithWideInteger)
        read.writeBytes([UInt8](repeating: 0, count: 60_000))  // the rest of the read: other frames
        let frame = read.getSlice(at: 0, length: Self.callWithWideInteger.count)!
        guard case .serialized(let payload)? = try msgpack.deserialize(frame).payload else {
            Issue.record("expected a serialized payload")
            return
        }
        #expect(payload.bytes.storageCapacity < 4096, "pins \(payload.bytes.storageCapacity) octets")
        #expect(try msgpack.serialize(msgpack.deserialize(frame)) == Self.callWithWideInteger)
    }

    @Test("with keepsPayloadSlices a small payload stays a slice of the whole read (its holder copies it when it keeps it), and reads and writes back the same")
    func keepsPayloadSlicesKeepsTheSlice() throws {
        var configuration = WAMPMsgPackSerializer.Configuration()
        configuration.serializedPayloadThreshold = 0
        configuration.keepsPayloadSlices = true
        let keeping = WAMPMsgPackSerializer(configuration: configuration)
        var read = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        read.writeBytes(Self.callWithWideInteger)
        read.writeBytes([UInt8](repeating: 0, count: 60_000))
        let frame = read.getSlice(at: 0, length: Self.callWithWideInteger.count)!
        let message = try keeping.deserialize(frame)
        guard case .serialized(let payload)? = message.payload else {
            Issue.record("expected a serialized payload")
            return
        }
        #expect(payload.pinsMemory, "a slice of the 64 KiB read")
        #expect(!payload.unpinned().pinsMemory)
        #expect(payload.unpinned().bytes.readableBytesView.elementsEqual(payload.bytes.readableBytesView))
        #expect(try keeping.serialize(message) == Self.callWithWideInteger)
        #expect(try keeping.serialize(message.unpinned()) == Self.callWithWideInteger)
    }

    @Test("a payload that fills most of its read stays a slice of it")
    func largePayloadStaysASlice() throws {
        let call = WAMPMessage.call(.init(request: 1, procedure: "p", payload: .arguments([.binary([UInt8](repeating: 7, count: 60_000))], [:])))
        let frame = try msgpack.serialize(call, allocator: ByteBufferAllocator())
        guard case .serialized(let payload)? = try msgpack.deserialize(frame).payload else {
            Issue.record("expected a serialized payload")
            return
        }
        #expect(payload.bytes.storageCapacity == frame.storageCapacity)
    }
}

extension SerializedPayloadTests {
    @Test("by default a message shorter than 1,024 bytes is decoded whole, a longer one keeps its payload serialized")
    func defaultThreshold() throws {
        let serializer = WAMPMsgPackSerializer()
        #expect(WAMPMsgPackSerializer.Configuration().serializedPayloadThreshold == 1024)
        let short = try serializer.deserialize(Self.callWithWideInteger)
        guard case .arguments? = short.payload else {
            Issue.record("a short message's payload: \(String(describing: short.payload))")
            return
        }
        let long = WAMPMessage.call(.init(request: 1, procedure: "p", payload: .arguments([.binary([UInt8](repeating: 1, count: 2000))], [:])))
        let read = try serializer.deserialize(serializer.serialize(long) as [UInt8])
        guard case .serialized? = read.payload else {
            Issue.record("a long message's payload: \(String(describing: read.payload))")
            return
        }
        #expect(read == long)
    }
}
