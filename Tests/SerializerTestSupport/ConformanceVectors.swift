import Foundation
public import Transport

/// The WAMP conformance vectors (wamp-proto `testsuite/singlemessage`, copied to
/// `Tests/ConformanceVectors/wamp-proto` with its NOTICE): loads the samples of one
/// serializer and maps `expected_attributes` onto typed messages.
public enum ConformanceVectors {
    /// One sample with its expected attributes and its encodings for one serializer.
    public struct Sample: Sendable {
        public var file: String
        public var index: Int
        public var description: String
        /// Every encoding of the sample (`bytes_hex`) for the serializer asked for.
        public var hexVariants: [String]
        public var expected: [String: JSONValue]
    }

    /// The `singlemessage` folder, found by walking up from this file.
    public static func directory() throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("ConformanceVectors/wamp-proto/singlemessage")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        throw VectorError("no ConformanceVectors/wamp-proto/singlemessage above \(#filePath)")
    }

    /// Every sample with `expected_attributes` and `serializers.<serializer>` (`"msgpack"`,
    /// `"cbor"`), in file order.
    public static func load(serializer: String) throws -> [Sample] {
        let root = try directory()
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw VectorError("cannot list \(root.path)")
        }
        let files = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
            .sorted { $0.path < $1.path }
        var samples: [Sample] = []
        for file in files {
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: file))
            let name = file.path.replacingOccurrences(of: root.path + "/", with: "")
            for (index, sample) in (json["samples"]?.arrayValue ?? []).enumerated() {
                guard let expected = sample["expected_attributes"]?.objectValue,
                    let variants = sample["serializers"]?[serializer]?.arrayValue
                else { continue }
                samples.append(Sample(
                    file: name, index: index, description: sample["description"]?.stringValue ?? "",
                    hexVariants: variants.compactMap { $0["bytes_hex"]?.stringValue },
                    expected: expected))
            }
        }
        return samples
    }

    /// The names of `expected_attributes` that mean the same field under another name.
    public static let aliases = [
        "request_id": "request", "session_id": "session", "subscription_id": "subscription",
        "publication_id": "publication", "registration_id": "registration",
    ]

    /// The differences between `message` and the expected attributes, one line each.
    public static func mismatches(_ message: WAMPMessage, expected: [String: JSONValue]) -> [String] {
        let actual = attributes(of: message)
        var out: [String] = []
        for (name, expectedJSON) in expected.sorted(by: { $0.key < $1.key }) {
            let key = aliases[name] ?? name
            var expectedValue = expectedJSON.wampValue
            switch (key, expectedJSON) {
            case ("args", .null): expectedValue = .list([])  // null = empty
            case ("kwargs", .null): expectedValue = .dict([:])
            case ("payload", .string(let hexString)): expectedValue = .string(hexString.lowercased())
            default: break
            }
            guard let actualValue = actual[key] else {
                out.append("\(message.type) has no attribute \(name)")
                continue
            }
            if actualValue != expectedValue {
                out.append("\(name): expected \(expectedValue), got \(actualValue)")
            }
        }
        return out
    }

    /// The attributes of a typed message, named as in `expected_attributes` (after aliasing).
    public static func attributes(of message: WAMPMessage) -> [String: WAMPValue] {
        var a: [String: WAMPValue] = ["message_type": .integer(message.type.rawValue)]
        func id(_ name: String, _ value: WAMPID) { a[name] = .integer(exactly: value) }
        func payload(_ payload: WAMPPayload) {
            a["args"] = .list(payload.args)
            a["kwargs"] = .dict(payload.kwargs)
            if case .transparent(let bytes) = payload { a["payload"] = .string(hex(bytes)) } else { a["payload"] = .null }
        }
        func details(_ details: [String: WAMPValue]) {
            a["details"] = .dict(details)
            a["roles"] = details["roles"] ?? .null
        }
        switch message {
        case .hello(let m): a["realm"] = .string(m.realm); details(m.details)
        case .welcome(let m): id("session", m.session); details(m.details)
        case .abort(let m): details(m.details); a["reason"] = .string(m.reason); payload(m.payload)
        case .challenge(let m): a["method"] = .string(m.authMethod); a["extra"] = .dict(m.extra)
        case .authenticate(let m): a["signature"] = .string(m.signature); a["extra"] = .dict(m.extra)
        case .goodbye(let m): details(m.details); a["reason"] = .string(m.reason)
        case .error(let m):
            a["request_type"] = .integer(m.requestType.rawValue); id("request", m.request)
            details(m.details); a["error"] = .string(m.error); payload(m.payload)
        case .publish(let m):
            id("request", m.request); a["options"] = .dict(m.options); a["topic"] = .string(m.topic); payload(m.payload)
        case .published(let m): id("request", m.request); id("publication", m.publication)
        case .subscribe(let m): id("request", m.request); a["options"] = .dict(m.options); a["topic"] = .string(m.topic)
        case .subscribed(let m): id("request", m.request); id("subscription", m.subscription)
        case .unsubscribe(let m): id("request", m.request); id("subscription", m.subscription)
        case .unsubscribed(let m): id("request", m.request); if let d = m.details { details(d) }
        case .event(let m):
            id("subscription", m.subscription); id("publication", m.publication); details(m.details); payload(m.payload)
        case .call(let m):
            id("request", m.request); a["options"] = .dict(m.options); a["procedure"] = .string(m.procedure)
            payload(m.payload)
        case .cancel(let m): id("request", m.request); a["options"] = .dict(m.options)
        case .result(let m): id("request", m.request); details(m.details); payload(m.payload)
        case .register(let m):
            id("request", m.request); a["options"] = .dict(m.options); a["procedure"] = .string(m.procedure)
        case .registered(let m): id("request", m.request); id("registration", m.registration)
        case .unregister(let m): id("request", m.request); id("registration", m.registration)
        case .unregistered(let m): id("request", m.request); if let d = m.details { details(d) }
        case .invocation(let m):
            id("request", m.request); id("registration", m.registration); details(m.details); payload(m.payload)
        case .interrupt(let m): id("request", m.request); a["options"] = .dict(m.options)
        case .yield(let m): id("request", m.request); a["options"] = .dict(m.options); payload(m.payload)
        case .eventReceived(let m): id("publication", m.publication)
        case .unknown: break
        }
        return a
    }

    /// Whether any dict inside `value` has two or more keys (whose order is not fixed).
    public static func hasDictWithSeveralKeys(_ value: WAMPValue) -> Bool {
        switch value {
        case .list(let elements): return elements.contains(where: hasDictWithSeveralKeys)
        case .dict(let dict): return dict.count >= 2 || dict.values.contains(where: hasDictWithSeveralKeys)
        default: return false
        }
    }
}
