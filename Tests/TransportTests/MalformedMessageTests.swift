import Testing
import Transport

/// A malformed message and the rule it breaks.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var value: WAMPValue
    var code: WAMPProtocolError.Code
    /// The message type the error must name, when it is known.
    var messageType: WAMPMessageType?

    init(_ name: String, _ value: WAMPValue, _ code: WAMPProtocolError.Code, in messageType: WAMPMessageType? = nil) {
        self.name = name
        self.value = value
        self.code = code
        self.messageType = messageType
    }

    var testDescription: String { "\(name): \(value)" }
}

@Suite("Malformed messages at the list level")
struct MalformedMessageTests {
    static let twoPow53: UInt64 = 1 << 53

    static let cases: [MalformedCase] = [
        // The shape of the list itself.
        .init("not a list (dict)", ["type": 1], .notAList),
        .init("not a list (string)", "HELLO", .notAList),
        .init("not a list (integer)", 1, .notAList),
        .init("not a list (null)", nil, .notAList),
        .init("empty list", [], .emptyMessage),
        .init("type code a string", ["1", "realm1", [:]], .messageTypeNotInteger),
        .init("type code a double", [1.0, "realm1", [:]], .messageTypeNotInteger),
        .init("type code a boolean", [true, "realm1", [:]], .messageTypeNotInteger),
        .init("type code null", [nil, "realm1", [:]], .messageTypeNotInteger),
        .init("type code negative", [-1, "realm1", [:]], .messageTypeNotInteger),
        .init("type code above Int64.max", [.unsignedInteger(UInt64.max), 1], .messageTypeNotInteger),

        // Too few elements.
        .init("HELLO without Details", [1, "realm1"], .wrongElementCount, in: .hello),
        .init("WELCOME alone", [2], .wrongElementCount, in: .welcome),
        .init("ABORT without Reason", [3, [:]], .wrongElementCount, in: .abort),
        .init("GOODBYE without Reason", [6, [:]], .wrongElementCount, in: .goodbye),
        .init("ERROR without Error URI", [8, 48, 1, [:]], .wrongElementCount, in: .error),
        .init("PUBLISH without Topic", [16, 1, [:]], .wrongElementCount, in: .publish),
        .init("PUBLISHED without Publication", [17, 1], .wrongElementCount, in: .published),
        .init("UNSUBSCRIBED alone", [35], .wrongElementCount, in: .unsubscribed),
        .init("EVENT without Details", [36, 1, 2], .wrongElementCount, in: .event),
        .init("CALL without Procedure", [48, 1, [:]], .wrongElementCount, in: .call),
        .init("RESULT without Details", [50, 1], .wrongElementCount, in: .result),
        .init("YIELD without Options", [70, 1], .wrongElementCount, in: .yield),
        .init("EVENT_RECEIVED alone", [337], .wrongElementCount, in: .eventReceived),

        // Too many elements.
        .init("HELLO with an extra element", [1, "realm1", [:], [:]], .wrongElementCount, in: .hello),
        .init("GOODBYE with Args", [6, [:], "wamp.close.normal", []], .wrongElementCount, in: .goodbye),
        .init("ERROR with an element after Kw", [8, 48, 1, [:], "e.rr", [], [:], 1], .wrongElementCount, in: .error),
        .init("PUBLISHED with an extra ID", [17, 1, 2, 3], .wrongElementCount, in: .published),
        .init("SUBSCRIBE with Args", [32, 1, [:], "com.example", []], .wrongElementCount, in: .subscribe),
        .init("UNSUBSCRIBED with two Details", [35, 1, [:], [:]], .wrongElementCount, in: .unsubscribed),
        .init("CALL with an element after Kw", [48, 1, [:], "com.example.f", [], [:], []], .wrongElementCount, in: .call),
        .init("CANCEL with Args", [49, 1, [:], []], .wrongElementCount, in: .cancel),
        .init("REGISTER with Args", [64, 1, [:], "com.example.f", []], .wrongElementCount, in: .register),
        .init("YIELD with an element after Kw", [70, 1, [:], [], [:], nil], .wrongElementCount, in: .yield),
        .init("EVENT_RECEIVED with two IDs", [337, 1, 2], .wrongElementCount, in: .eventReceived),

        // The wrong type of element.
        .init("HELLO Details a string", [1, "realm1", "details"], .wrongElementType, in: .hello),
        .init("HELLO Realm a dict", [1, [:], [:]], .wrongElementType, in: .hello),
        .init("WELCOME Session a string", [2, "1", [:]], .wrongElementType, in: .welcome),
        .init("ABORT Details a list", [3, [], "wamp.error.x"], .wrongElementType, in: .abort),
        .init("CHALLENGE AuthMethod an integer", [4, 1, [:]], .wrongElementType, in: .challenge),
        .init("AUTHENTICATE Extra a list", [5, "sig", []], .wrongElementType, in: .authenticate),
        .init("ERROR request type a string", [8, "48", 1, [:], "e.rr"], .wrongElementType, in: .error),
        .init("PUBLISH Topic a dict", [16, 1, [:], [:]], .wrongElementType, in: .publish),
        .init("PUBLISH Options a string", [16, 1, "options", "com.example"], .wrongElementType, in: .publish),
        .init("PUBLISHED Request a double", [17, 1.0, 2], .wrongElementType, in: .published),
        .init("SUBSCRIBED Subscription a boolean", [33, 1, true], .wrongElementType, in: .subscribed),
        .init("EVENT Details null", [36, 1, 2, nil], .wrongElementType, in: .event),
        .init("CALL Args a string", [48, 1, [:], "com.example.f", "args"], .wrongElementType, in: .call),
        .init("CALL Args a dict", [48, 1, [:], "com.example.f", ["a": 1]], .wrongElementType, in: .call),
        .init("CALL Kw a list", [48, 1, [:], "com.example.f", [], []], .wrongElementType, in: .call),
        .init(
            "CALL passthru binary followed by Kw", [48, 1, [:], "com.example.f", .binary([1]), [:]], .wrongElementType,
            in: .call),
        .init("RESULT Details a list", [50, 1, []], .wrongElementType, in: .result),
        .init("INVOCATION Registration a list", [68, 1, [], [:]], .wrongElementType, in: .invocation),
        .init("UNSUBSCRIBED Details a string", [35, 0, "details"], .wrongElementType, in: .unsubscribed),

        // IDs out of 1 ... 2^53.
        .init("ID 0", [17, 0, 1], .idOutOfRange, in: .published),
        .init("Publication ID 0", [17, 1, 0], .idOutOfRange, in: .published),
        .init("ID 2^53 + 1", [2, .integer(Int64(twoPow53) + 1), [:]], .idOutOfRange, in: .welcome),
        .init("ID 2^53 + 1 unsigned", [2, .unsignedInteger(twoPow53 + 1), [:]], .idOutOfRange, in: .welcome),
        .init("ID Int64.max", [48, .integer(.max), [:], "com.example.f"], .idOutOfRange, in: .call),
        .init("ID UInt64.max", [48, .unsignedInteger(.max), [:], "com.example.f"], .idOutOfRange, in: .call),
        .init("negative ID", [17, -1, 2], .idOutOfRange, in: .published),
        .init("Int64.min ID", [33, .integer(.min), 2], .idOutOfRange, in: .subscribed),
        .init("ERROR request ID 0", [8, 48, 0, [:], "e.rr"], .idOutOfRange, in: .error),
        .init("EVENT_RECEIVED ID 0", [337, 0], .idOutOfRange, in: .eventReceived),

        // ERROR request types.
        .init("ERROR request type 99", [8, 99, 1, [:], "e.rr"], .invalidRequestType, in: .error),
        .init("ERROR answering an ERROR", [8, 8, 1, [:], "e.rr"], .invalidRequestType, in: .error),
        .init("ERROR answering a RESULT", [8, 50, 1, [:], "e.rr"], .invalidRequestType, in: .error),
        .init("ERROR request type negative", [8, -48, 1, [:], "e.rr"], .invalidRequestType, in: .error),

        // URIs.
        .init("URI with a space", [32, 1, [:], "com.example topic"], .invalidURI, in: .subscribe),
        .init("URI with a tab", [48, 1, [:], "com.example\tf"], .invalidURI, in: .call),
        .init("URI with a newline", [16, 1, [:], "com.example\n"], .invalidURI, in: .publish),
        .init("URI with #", [48, 1, [:], "com.example#f"], .invalidURI, in: .call),
        .init("URI empty", [1, "", [:]], .invalidURI, in: .hello),
        .init("empty Error URI", [8, 48, 1, [:], ""], .invalidURI, in: .error),
        .init("GOODBYE Reason with a space", [6, [:], "wamp close"], .invalidURI, in: .goodbye),
    ]

    @Test("each malformed message gives its specific error code", arguments: cases)
    func malformed(_ testCase: MalformedCase) {
        let error = #expect(throws: WAMPProtocolError.self) { try WAMPMessage(value: testCase.value) }
        #expect(error?.code == testCase.code, "\(error.map(String.init(describing:)) ?? "no error")")
        if let messageType = testCase.messageType {
            #expect(error?.messageType == messageType)
        }
    }

    @Test("an error names the field and shows the offending value")
    func errorNamesFieldAndValue() {
        let error = #expect(throws: WAMPProtocolError.self) { try WAMPMessage(elements: [17, 1, 0]) }
        #expect(error?.field == "Publication")
        #expect(error?.message.contains("0") == true)
        #expect(error?.description.hasPrefix("WAMP protocol violation (idOutOfRange) in PUBLISHED") == true)
    }

    @Test(
        "IDs 1 and 2^53 are accepted",
        arguments: [
            WAMPValue.integer(1), .integer(1 << 53), .unsignedInteger(1 << 53),
        ])
    func idEdgesAccepted(_ id: WAMPValue) throws {
        let message = try WAMPMessage(elements: [2, id, [:]])
        #expect(message == .welcome(.init(session: id.uint64Value!)))
    }

    @Test("2^53 exactly is accepted in every ID position of a message")
    func twoPow53EverywhereAccepted() throws {
        let max = WAMPValue.integer(1 << 53)
        let message = try WAMPMessage(elements: [68, max, max, [:]])
        #expect(message == .invocation(.init(request: 1 << 53, registration: 1 << 53)))
        #expect(message.elements == [68, max, max, [:]])
    }

    @Test(
        "URIs the loose rule allows are accepted",
        arguments: [
            "com.example.topic", "a", "com..wildcard", "com.myapp.ÄÖÜ.日本", "wamp.close.normal", "COM.Example-1",
        ])
    func looseURIsAccepted(_ uri: String) throws {
        let message = try WAMPMessage(elements: [32, 1, ["match": "wildcard"], .string(uri)])
        #expect(message == .subscribe(.init(request: 1, options: ["match": "wildcard"], topic: uri)))
    }

    @Test("every ERROR request type of the specification is accepted", arguments: [16, 32, 34, 48, 64, 66, 68] as [Int64])
    func errorRequestTypesAccepted(_ code: Int64) throws {
        let message = try WAMPMessage(elements: [8, .integer(code), 1, [:], "com.example.error"])
        guard case .error(let error) = message else {
            Issue.record("expected ERROR, got \(message)")
            return
        }
        #expect(error.requestType.rawValue == code)
    }

    @Test("unknown Details keys are kept")
    func unknownDetailsKept() throws {
        let message = try WAMPMessage(elements: [2, 1, ["x_custom": ["nested": true]]])
        #expect(message == .welcome(.init(session: 1, details: ["x_custom": ["nested": true]])))
    }

    @Test(
        "a URI with non-ASCII whitespace is refused, as the spec's \\s matches it",
        arguments: ["com.example\u{A0}topic", "com.example\u{2003}topic", "com.example\u{3000}topic", "com.\u{85}x"])
    func unicodeWhitespaceInURIRefused(_ uri: String) {
        let error = #expect(throws: WAMPProtocolError.self) { try WAMPMessage(elements: [32, 1, [:], .string(uri)]) }
        #expect(error?.code == .invalidURI)
        #expect(!WAMPURI.isLooselyValid(uri))
    }
}
