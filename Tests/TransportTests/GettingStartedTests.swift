// The code of the Getting Started article (Sources/Transport/Transport.docc/GettingStarted.md),
// compiled and run, so that the article cannot drift from the API.

import JSONSerializer
import MsgPackSerializer
import NIOCore
import Testing
import Transport

private struct Order: Codable, Equatable {
    var item: String
    var quantity: Int
    var note: String?
}

private struct CallFailed: Error {
    var error: String
    var payload: WAMPPayload
}

/// Calls a procedure with one argument and decodes the first result argument.
private func call<Argument: Encodable, Output: Decodable>(
    _ procedure: String,
    with argument: Argument,
    returning: Output.Type,
    request: WAMPID,
    over transport: some WAMPTransport
) async throws -> Output {
    let payload = WAMPPayload.arguments([try WAMPValueEncoder().encode(argument)], [:])
    try await transport.send(.call(.init(request: request, procedure: procedure, payload: payload)))
    for try await message in transport.inbound {
        switch message {
        case .result(let result) where result.request == request:
            return try result.payload.decodeArgument(Output.self, at: 0)
        case .error(let error) where error.request == request:
            throw CallFailed(error: error.error, payload: error.payload)
        default:
            continue
        }
    }
    throw CancellationError()  // the connection closed first
}

/// An in-memory transport whose peer is a function: each message sent gets the peer's
/// answers on `inbound`.
private struct ScriptedTransport: WAMPTransport {
    let inbound: AsyncThrowingStream<WAMPMessage, any Error>
    private let continuation: AsyncThrowingStream<WAMPMessage, any Error>.Continuation
    private let peer: @Sendable (WAMPMessage) -> [WAMPMessage]

    init(peer: @escaping @Sendable (WAMPMessage) -> [WAMPMessage]) {
        (inbound, continuation) = AsyncThrowingStream.makeStream()
        self.peer = peer
    }

    var serializer: any WAMPSerializer { WAMPJSONSerializer() }
    var maxSendLength: Int { 1 << 24 }

    func send(_ message: WAMPMessage) async throws {
        for answer in peer(message) { continuation.yield(answer) }
    }

    func close() async throws { continuation.finish() }
}

@Suite("The Getting Started article")
struct GettingStartedTests {
    @Test("build a message and read its list form")
    func buildMessage() throws {
        let hello = WAMPMessage.hello(.init(realm: "realm1", details: ["roles": ["caller": [:], "subscriber": [:]]]))
        let subscribe = WAMPMessage.subscribe(.init(request: 1, options: ["match": "prefix"], topic: "com.example"))
        let goodbye = WAMPMessage.goodbye(.init())
        #expect(hello.elements == [1, "realm1", ["roles": ["caller": [:], "subscriber": [:]]]])
        #expect(subscribe.elements == [32, 1, ["match": "prefix"], "com.example"])
        #expect(goodbye.elements == [6, [:], "wamp.close.normal"])
        #expect(try WAMPMessage(elements: subscribe.elements) == subscribe)

        do {
            _ = try WAMPMessage(elements: [17, 0, 1])
            Issue.record("PUBLISHED with request 0 was accepted")
        } catch {
            #expect(error.code == .idOutOfRange)
            #expect(error.field == "PUBLISH.Request")
        }
    }

    @Test("payloads with literals")
    func literals() {
        let call = WAMPMessage.call(
            .init(
                request: 2, procedure: "com.example.order",
                payload: .arguments(["tea", 2], ["sugar": false, "size": 0.5, "note": nil])))
        #expect(
            call.description
                == #"CALL [48, 2, {}, "com.example.order", ["tea", 2], {"note": null, "size": 0.5, "sugar": false}]"#)
        let kw: WAMPValue = ["size": 0.5, "items": ["tea", "cake"]]
        #expect(kw["items"]?[1]?.stringValue == "cake")
        #expect(kw["size"]?.doubleValue == 0.5)
    }

    @Test("payloads with Codable")
    func codable() throws {
        let publish = WAMPMessage.publish(
            .init(request: 3, topic: "com.example.orders", payload: try .encoding(Order(item: "tea", quantity: 2, note: nil))))
        #expect(publish.elements == [16, 3, [:], "com.example.orders", [], ["item": "tea", "quantity": 2]])

        guard case .publish(let published) = publish else { return }
        let event = WAMPMessage.Event(subscription: 1, publication: 2, payload: published.payload)
        #expect(try event.payload.decodeKwargs(Order.self) == Order(item: "tea", quantity: 2, note: nil))
        let invocation = WAMPMessage.Invocation(request: 1, registration: 2, payload: .arguments(["tea", 1], [:]))
        #expect(try invocation.payload.decodeArgument(String.self, at: 0) == "tea")
        let result = WAMPMessage.Result(request: 1, payload: .arguments([1, 2], [:]))
        #expect(try result.payload.decodeArgs([Int].self) == [1, 2])
    }

    @Test("round trip through the JSON and MessagePack serializers")
    func serializers() throws {
        let message = WAMPMessage.publish(
            .init(request: 4, topic: "com.example.news", payload: .arguments(["hello", .binary([0xCA, 0xFE])], ["count": 1])))
        let serializers: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer()]
        for serializer in serializers {
            var buffer = ByteBuffer()
            try serializer.serialize(message, into: &buffer)
            #expect(try serializer.deserialize(buffer) == message, "\(serializer.id)")
            let bytes: [UInt8] = try serializer.serialize(message)
            #expect(try serializer.deserialize(bytes) == message, "\(serializer.id)")
        }
    }

    @Test("code generic over WAMPTransport: a call answered by RESULT")
    func genericCallResult() async throws {
        let transport = ScriptedTransport { message in
            guard case .call(let call) = message else { return [] }
            let numbers = (try? call.payload.decodeArgument([Int64].self, at: 0)) ?? []
            let sum = numbers.reduce(0, +)
            return [
                .event(.init(subscription: 9, publication: 9)),  // not for us: skipped
                .result(.init(request: call.request, payload: .arguments([.integer(sum)], [:]))),
            ]
        }
        let sum = try await call("com.example.add", with: [2, 3], returning: Int.self, request: 7, over: transport)
        #expect(sum == 5)
    }

    @Test("code generic over WAMPTransport: a call answered by ERROR")
    func genericCallError() async throws {
        let transport = ScriptedTransport { message in
            guard case .call(let call) = message else { return [] }
            return [.error(.init(requestType: .call, request: call.request, error: WAMPURI.noSuchProcedure))]
        }
        let error = await #expect(throws: CallFailed.self) {
            try await call("com.example.missing", with: "x", returning: String.self, request: 8, over: transport)
        }
        #expect(error?.error == "wamp.error.no_such_procedure")
    }
}
