import Testing
import Transport

/// A typed message and the list form it must have.
struct ListFormCase: Sendable, CustomTestStringConvertible {
    var message: WAMPMessage
    var elements: [WAMPValue]

    var testDescription: String { message.type.name }
}

@Suite("WAMP messages in list form")
struct MessageListFormTests {
    static let payload = WAMPPayload.arguments([1, "two", [3.5]], ["k": true])

    /// One message of each of the 24 types of the basic and advanced profiles, plus
    /// EVENT_RECEIVED, with the list form of section 3 of the protocol notes.
    static let everyType: [ListFormCase] = [
        .init(
            message: .hello(.init(realm: "realm1", details: ["roles": ["caller": [:], "callee": [:]]])),
            elements: [1, "realm1", ["roles": ["caller": [:], "callee": [:]]]]),
        .init(
            message: .welcome(.init(session: 9_129_137_332, details: ["roles": ["broker": [:]]])),
            elements: [2, 9_129_137_332, ["roles": ["broker": [:]]]]),
        .init(
            message: .abort(.init(details: ["message": "no such realm"], reason: "wamp.error.no_such_realm", payload: payload)),
            elements: [3, ["message": "no such realm"], "wamp.error.no_such_realm", [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .challenge(.init(authMethod: "wampcra", extra: ["challenge": "{}", "iterations": 1000])),
            elements: [4, "wampcra", ["challenge": "{}", "iterations": 1000]]),
        .init(
            message: .authenticate(.init(signature: "c2lnbmF0dXJl", extra: [:])),
            elements: [5, "c2lnbmF0dXJl", [:]]),
        .init(
            message: .goodbye(.init(details: [:], reason: WAMPURI.closeNormal)),
            elements: [6, [:], "wamp.close.normal"]),
        .init(
            message: .error(
                .init(requestType: .call, request: 7_814_135, details: [:], error: "com.myapp.error.overflow", payload: payload)),
            elements: [8, 48, 7_814_135, [:], "com.myapp.error.overflow", [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .publish(
                .init(request: 239_714_735, options: ["acknowledge": true], topic: "com.myapp.mytopic1", payload: payload)),
            elements: [16, 239_714_735, ["acknowledge": true], "com.myapp.mytopic1", [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .published(.init(request: 239_714_735, publication: 4_429_313_566)),
            elements: [17, 239_714_735, 4_429_313_566]),
        .init(
            message: .subscribe(.init(request: 713_845_233, options: ["match": "prefix"], topic: "com.myapp")),
            elements: [32, 713_845_233, ["match": "prefix"], "com.myapp"]),
        .init(
            message: .subscribed(.init(request: 713_845_233, subscription: 5_512_315_355)),
            elements: [33, 713_845_233, 5_512_315_355]),
        .init(
            message: .unsubscribe(.init(request: 85_346_237, subscription: 5_512_315_355)),
            elements: [34, 85_346_237, 5_512_315_355]),
        .init(
            message: .unsubscribed(.init(request: 85_346_237)),
            elements: [35, 85_346_237]),
        .init(
            message: .event(.init(subscription: 5_512_315_355, publication: 4_429_313_566, details: [:], payload: payload)),
            elements: [36, 5_512_315_355, 4_429_313_566, [:], [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .call(.init(request: 7_814_135, options: ["timeout": 1000], procedure: "com.myapp.echo", payload: payload)),
            elements: [48, 7_814_135, ["timeout": 1000], "com.myapp.echo", [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .cancel(.init(request: 7_814_135, options: ["mode": "kill"])),
            elements: [49, 7_814_135, ["mode": "kill"]]),
        .init(
            message: .result(.init(request: 7_814_135, details: ["progress": false], payload: payload)),
            elements: [50, 7_814_135, ["progress": false], [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .register(.init(request: 25_349_185, options: [:], procedure: "com.myapp.myprocedure1")),
            elements: [64, 25_349_185, [:], "com.myapp.myprocedure1"]),
        .init(
            message: .registered(.init(request: 25_349_185, registration: 2_103_333_224)),
            elements: [65, 25_349_185, 2_103_333_224]),
        .init(
            message: .unregister(.init(request: 788_923_562, registration: 2_103_333_224)),
            elements: [66, 788_923_562, 2_103_333_224]),
        .init(
            message: .unregistered(.init(request: 788_923_562)),
            elements: [67, 788_923_562]),
        .init(
            message: .invocation(.init(request: 6_131_533, registration: 9_823_526, details: [:], payload: payload)),
            elements: [68, 6_131_533, 9_823_526, [:], [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .interrupt(.init(request: 6_131_533, options: ["mode": "killnowait"])),
            elements: [69, 6_131_533, ["mode": "killnowait"]]),
        .init(
            message: .yield(.init(request: 6_131_533, options: [:], payload: payload)),
            elements: [70, 6_131_533, [:], [1, "two", [3.5]], ["k": true]]),
        .init(
            message: .eventReceived(.init(publication: 4_429_313_566)),
            elements: [337, 4_429_313_566]),
    ]

    @Test("the test table covers every known message type")
    func tableCoversEveryType() {
        let codes = Set(Self.everyType.map(\.message.type))
        #expect(codes.count == 25)
        #expect(codes.contains(.eventReceived))
    }

    @Test("every message type converts to its list form", arguments: everyType)
    func encodesToListForm(_ testCase: ListFormCase) {
        #expect(testCase.message.elements == testCase.elements)
        #expect(testCase.message.value == .list(testCase.elements))
        #expect(testCase.message.body?.elements == testCase.elements)
        #expect(testCase.message.elements.first == .integer(testCase.message.type.rawValue))
    }

    @Test("every message type decodes from its list form to the same value", arguments: everyType)
    func decodesFromListForm(_ testCase: ListFormCase) throws {
        let decoded = try WAMPMessage(elements: testCase.elements)
        #expect(decoded == testCase.message)
        #expect(decoded.type == testCase.message.type)
        #expect(try WAMPMessage(value: .list(testCase.elements)) == testCase.message)
        #expect(decoded.elements == testCase.elements)
    }

    @Test("the head of every message type is its list form without Args and Kw", arguments: everyType)
    func headElementsLeaveOutThePayload(_ testCase: ListFormCase) {
        // The table's payloads have Args and Kw: both trailing elements go; a message without
        // a payload keeps every element.
        let payloadElements = testCase.message.payload == nil ? 0 : 2
        #expect(testCase.message.headElements == Array(testCase.elements.dropLast(payloadElements)))
        // The message itself keeps its payload.
        #expect(testCase.message.elements == testCase.elements)
    }

    /// A sink that is not an array: it records what it is handed.
    struct RecordingSink: WAMPElementSink {
        var received: [WAMPValue] = []
        mutating func append(_ element: WAMPValue) { received.append(element) }
    }

    @Test("a sink is handed the list form element by element, with or without the payload", arguments: everyType)
    func sinkGetsTheListForm(_ testCase: ListFormCase) {
        var whole = RecordingSink()
        testCase.message.appendElements(to: &whole)
        #expect(whole.received == testCase.elements)
        var head = RecordingSink()
        testCase.message.appendElements(to: &head, withoutPayload: true)
        #expect(head.received == testCase.message.headElements)
    }

    @Test("a message built from its head and its payload is the message decoded whole", arguments: everyType)
    func headAndPayloadMakeTheMessage(_ testCase: ListFormCase) throws {
        let message = try WAMPMessage(head: testCase.message.headElements, payload: Self.payload)
        // A message with a payload gets the one given; one without ignores it.
        #expect(message == testCase.message)
        #expect(message.payload == testCase.message.payload)
    }

    @Test("a head that is not a valid message is refused with its error, whatever the payload")
    func invalidHeadIsRefused() {
        #expect(throws: WAMPProtocolError.self) {
            try WAMPMessage(head: [48, 0, [:], "com.example.add"], payload: Self.payload)
        }
        #expect(throws: WAMPProtocolError.self) {
            try WAMPMessage(head: [], payload: Self.payload)
        }
    }

    // MARK: Args and Kw

    @Test("no Args and no Kw: neither element is sent")
    func emptyPayloadSendsNothing() {
        let message = WAMPMessage.publish(.init(request: 1, topic: "com.example.topic"))
        #expect(message.elements == [16, 1, [:], "com.example.topic"])
        let explicitEmpty = WAMPMessage.result(.init(request: 1, payload: .arguments([], [:])))
        #expect(explicitEmpty.elements == [50, 1, [:]])
    }

    @Test("Args only: Args is sent, Kw is not")
    func argsOnly() {
        let message = WAMPMessage.call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3], [:])))
        #expect(message.elements == [48, 1, [:], "com.example.add", [2, 3]])
    }

    @Test("Kw only: an empty Args list, then Kw")
    func kwOnly() {
        let message = WAMPMessage.yield(.init(request: 1, payload: .arguments([], ["sum": 5])))
        #expect(message.elements == [70, 1, [:], [], ["sum": 5]])
    }

    @Test("Args and Kw: both are sent")
    func argsAndKw() {
        let message = WAMPMessage.event(.init(subscription: 1, publication: 2, payload: .arguments(["a"], ["b": 1])))
        #expect(message.elements == [36, 1, 2, [:], ["a"], ["b": 1]])
    }

    static let lengthCases: [([WAMPValue], WAMPPayload)] = {
        let kw: [String: WAMPValue] = ["k": 1]
        let seven: [WAMPValue] = [7]
        let rows: [([WAMPValue], WAMPPayload)] = [
            ([50, 1, [:]], .empty),
            ([50, 1, [:], []], .empty),
            ([50, 1, [:], [], [:]], .empty),
            ([50, 1, [:], .list(seven)], .arguments(seven, [:])),
            ([50, 1, [:], [], .dict(kw)], .arguments([], kw)),
            ([50, 1, [:], .list(seven), .dict(kw)], .arguments(seven, kw)),
        ]
        return rows
    }()

    @Test("decoding accepts every length of the trailing Args and Kw", arguments: lengthCases)
    func decodingAcceptsAllLengths(_ elements: [WAMPValue], _ payload: WAMPPayload) throws {
        let message = try WAMPMessage(elements: elements)
        guard case .result(let result) = message else {
            Issue.record("expected RESULT, got \(message)")
            return
        }
        #expect(result.request == 1)
        #expect(result.payload == payload)
    }

    @Test("setting args or kwargs on a message keeps the other part of the payload")
    func payloadAccessors() {
        var call = WAMPMessage.Call(request: 1, procedure: "com.example.f")
        call.args = [1]
        call.kwargs = ["a": 2]
        #expect(call.payload == .arguments([1], ["a": 2]))
        call.payload = .transparent([9])
        #expect(call.args.isEmpty && call.kwargs.isEmpty)
        call.args = [3]
        #expect(call.payload == .arguments([3], [:]))
    }

    // MARK: Passthru

    @Test(
        "a binary value in the Args position is a passthru payload",
        arguments: [
            [16, 1, ["enc_algo": "cryptobox"], "com.example.topic", .binary([1, 2, 3])],
            [36, 1, 2, ["enc_algo": "cryptobox"], .binary([1, 2, 3])],
            [48, 1, ["enc_algo": "cryptobox"], "com.example.f", .binary([1, 2, 3])],
            [50, 1, ["enc_algo": "cryptobox"], .binary([1, 2, 3])],
            [68, 1, 2, ["enc_algo": "cryptobox"], .binary([1, 2, 3])],
            [70, 1, ["enc_algo": "cryptobox"], .binary([1, 2, 3])],
            [8, 48, 1, ["enc_algo": "cryptobox"], "com.example.error", .binary([1, 2, 3])],
        ] as [[WAMPValue]])
    func passthru(_ elements: [WAMPValue]) throws {
        let message = try WAMPMessage(elements: elements)
        let payload = (message.body as? any WAMPPayloadCarrying)?.payload
        #expect(payload == .transparent([1, 2, 3]))
        #expect(message.elements == elements)
    }

    @Test("an empty passthru payload is still sent and read back")
    func emptyPassthru() throws {
        let message = WAMPMessage.publish(.init(request: 1, topic: "t", payload: .transparent([])))
        #expect(message.elements == [16, 1, [:], "t", .binary([])])
        #expect(try WAMPMessage(elements: message.elements) == message)
    }

    // MARK: Advanced UNSUBSCRIBED and UNREGISTERED

    @Test("router-initiated UNSUBSCRIBED: request 0 with Details")
    func advancedUnsubscribed() throws {
        let elements: [WAMPValue] = [35, 0, ["subscription": 5_512_315_355, "reason": "wamp.authentication.lost"]]
        let message = try WAMPMessage(elements: elements)
        #expect(
            message
                == .unsubscribed(
                    .init(request: 0, details: ["subscription": 5_512_315_355, "reason": "wamp.authentication.lost"])))
        #expect(message.elements == elements)
    }

    @Test("router-initiated UNREGISTERED: request 0 with Details")
    func advancedUnregistered() throws {
        let elements: [WAMPValue] = [67, 0, ["registration": 2_103_333_224, "reason": "wamp.error.revoked"]]
        let message = try WAMPMessage(elements: elements)
        #expect(
            message == .unregistered(.init(request: 0, details: ["registration": 2_103_333_224, "reason": "wamp.error.revoked"])))
        #expect(message.elements == elements)
    }

    @Test("the advanced form with a real request ID keeps its Details")
    func advancedFormWithRequest() throws {
        let message = try WAMPMessage(elements: [35, 85_346_237, ["subscription": 1]])
        #expect(message == .unsubscribed(.init(request: 85_346_237, details: ["subscription": 1])))
    }

    @Test("request 0 without Details is refused: only a revocation may use 0")
    func requestZeroNeedsDetails() {
        for elements: [WAMPValue] in [[35, 0], [67, 0]] {
            let error = #expect(throws: WAMPProtocolError.self) { try WAMPMessage(elements: elements) }
            #expect(error?.code == .idOutOfRange)
        }
    }

    // MARK: Unknown codes

    @Test("an unknown code is kept as .unknown with its elements and re-encoded identically")
    func unknownCode() throws {
        let elements: [WAMPValue] = [300, 1, ["x": [true, nil]], "com.example", .binary([7])]
        let message = try WAMPMessage(elements: elements)
        #expect(message == .unknown(.init(type: WAMPMessageType(rawValue: 300), arguments: Array(elements.dropFirst()))))
        #expect(message.type.rawValue == 300)
        #expect(message.type.name == "MESSAGE(300)")
        #expect(message.body == nil)
        #expect(message.elements == elements)
    }

    @Test("an unknown code alone is kept too")
    func unknownCodeAlone() throws {
        let message = try WAMPMessage(elements: [1023])
        #expect(message == .unknown(.init(type: WAMPMessageType(rawValue: 1023), arguments: [])))
        #expect(message.elements == [1023])
    }

    @Test("descriptions name the message and show its list form")
    func description() {
        let message = WAMPMessage.call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3], [:])))
        #expect(message.description == #"CALL [48, 1, {}, "com.example.add", [2, 3]]"#)
        #expect(WAMPMessageType.eventReceived.name == "EVENT_RECEIVED")
    }
}
