import JSONSerializer
import MsgPackSerializer
import NIOCore
import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

/// The router forwards `Args` and `Kw` without decoding them between peers of one serializer,
/// and decodes and re-encodes them between serializers.
@Suite("Payload forwarding through the router", .scaledTimeLimit(minutes: 1))
struct PayloadForwardingTests {
    /// MessagePack keeping every payload serialized, however short.
    static let msgpack: InMemoryTransport.Configuration = {
        var configuration = WAMPMsgPackSerializer.Configuration()
        configuration.serializedPayloadThreshold = 0
        return InMemoryTransport.Configuration(serializer: WAMPMsgPackSerializer(configuration: configuration))
    }()
    static let json = InMemoryTransport.Configuration(serializer: WAMPJSONSerializer())

    /// Args `[1]` with the 1 written as a uint32 and Kw `{}`: bytes that a MessagePack
    /// serializer never writes itself, so they arrive unchanged only if they were copied.
    ///
    /// Computed, not a stored static: LeakSanitizer does not see the reference inside a
    /// stored enum payload (Swift packs the case into the pointer's spare bits) and would
    /// report the static's storage as leaked at exit.
    static var wideArguments: WAMPPayload {
        .serialized(WAMPSerializedPayload(
            bytes: ByteBuffer(bytes: [0x91, 0xce, 0, 0, 0, 1, 0x80]), hasKeywords: true, serializer: WAMPMsgPackSerializer()))
    }

    /// The serialized bytes of a payload, `nil` when it is not serialized.
    static func bytes(_ payload: WAMPPayload) -> ByteBuffer? {
        if case .serialized(let serialized) = payload { serialized.bytes } else { nil }
    }

    @Test("MessagePack to MessagePack: CALL, YIELD, PUBLISH and ERROR payloads arrive as the bytes sent")
    func sameSerializerForwardsBytes() async throws {
        try await RouterHarness.run(transport: Self.msgpack) { harness in
            let callee = try await harness.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.echo")
            let request = try await caller.call("com.example.echo", payload: Self.wideArguments)
            let invocation = try await callee.receiveInvocation()
            #expect(Self.bytes(invocation.payload) == Self.bytes(Self.wideArguments))
            try await callee.send(.yield(.init(request: invocation.request, payload: Self.wideArguments)))
            guard case .result(let result) = try await caller.receive() else {
                Issue.record("expected a RESULT")
                return
            }
            #expect(result.request == request && Self.bytes(result.payload) == Self.bytes(Self.wideArguments))

            _ = try await caller.call("com.example.echo", payload: Self.wideArguments)
            let failing = try await callee.receiveInvocation()
            try await callee.send(.error(.init(
                requestType: .invocation, request: failing.request, error: "com.example.failed", payload: Self.wideArguments)))
            #expect(Self.bytes(try await caller.receiveError().payload) == Self.bytes(Self.wideArguments))

            let subscription = try await callee.subscribe("com.example.topic")
            try await caller.send(.publish(.init(
                request: 50, options: ["exclude_me": false], topic: "com.example.topic", payload: Self.wideArguments)))
            guard case .event(let event) = try await callee.receive() else {
                Issue.record("expected an EVENT")
                return
            }
            #expect(event.subscription == subscription && Self.bytes(event.payload) == Self.bytes(Self.wideArguments))
        }
    }

    @Test("MessagePack to JSON and back: the payload is decoded and re-encoded")
    func acrossSerializersDecodes() async throws {
        try await RouterHarness.run(transport: Self.msgpack) { harness in
            let callee = harness.connect(Self.json)
            try await callee.join()
            let caller = try await harness.join()
            _ = try await callee.register("com.example.echo")
            let request = try await caller.call("com.example.echo", payload: Self.wideArguments)
            let invocation = try await callee.receiveInvocation()
            #expect(invocation.payload == .arguments([1], [:]))
            try await callee.send(.yield(.init(request: invocation.request, payload: .arguments(["x"], ["k": 2]))))
            #expect(try await caller.receive() == .result(.init(request: request, payload: .arguments(["x"], ["k": 2]))))
        }
    }
}
