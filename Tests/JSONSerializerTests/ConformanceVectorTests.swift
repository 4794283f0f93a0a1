import Foundation
import JSONSerializer
import Testing
import Transport

/// The WAMP conformance vectors (`Tests/ConformanceVectors/wamp-proto/singlemessage`, copied from wamp-proto/wamp-proto with its NOTICE): every JSON
/// encoding of every sample with expected attributes decodes to a message with those
/// attributes, and this serializer's own encoding decodes back to the same message.
@Suite("Conformance vectors")
struct ConformanceVectorTests {
    /// One vector file, as far as these tests read it.
    struct VectorFile: Decodable {
        struct Sample: Decodable {
            let description: String
            let serializers: [String: [Variant]]?
            let expected_attributes: [String: PlainJSON]?
        }

        struct Variant: Decodable {
            let bytes: String?
            let bytes_hex: String?
            let note: String?
        }

        let samples: [Sample]
    }

    static var vectorDirectory: URL {
        packageRoot()
            .appendingPathComponent("Tests/ConformanceVectors/wamp-proto/singlemessage", isDirectory: true)
            .standardizedFileURL
    }

    static func vectorFiles() throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: vectorDirectory, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "json" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test("every JSON sample decodes to its expected attributes and survives a round trip")
    func jsonSamplesDecodeToExpectedAttributesAndRoundTrip() throws {
        let files = try Self.vectorFiles()
        #expect(files.count >= 20, "no vector files found under \(Self.vectorDirectory.path)")
        var samplesChecked = 0
        var variantsChecked = 0
        for file in files {
            let vectors = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: file))
            let name = file.deletingPathExtension().lastPathComponent
            for sample in vectors.samples {
                guard let expected = sample.expected_attributes, let variants = sample.serializers?["json"], !variants.isEmpty
                else { continue }
                samplesChecked += 1
                for variant in variants {
                    let context = "\(name): \(sample.description) (\(variant.note ?? "json"))"
                    let input: [UInt8]
                    if let hexBytes = variant.bytes_hex {
                        input = try #require(bytes(fromHex: hexBytes), "\(context): bad bytes_hex")
                    } else {
                        input = Array(try #require(variant.bytes, "\(context): no bytes").utf8)
                    }
                    let message = try json.deserialize(input)
                    try expectAttributes(expected, of: message, context)

                    let reencoded: [UInt8] = try json.serialize(message)
                    let again = try json.deserialize(reencoded)
                    #expect(again == message, "\(context): re-encoded as \(String(decoding: reencoded, as: UTF8.self))")
                    variantsChecked += 1
                }
            }
        }
        #expect(samplesChecked > 25, "only \(samplesChecked) samples checked")
        #expect(variantsChecked >= samplesChecked)
    }

    @Test("the writer agrees with Foundation on every JSON sample: its output parses with JSONSerialization to what the sample parses to")
    func writerAgreesWithFoundationOnEverySample() throws {
        var compared = 0
        for file in try Self.vectorFiles() {
            let vectors = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: file))
            let name = file.deletingPathExtension().lastPathComponent
            for sample in vectors.samples {
                for variant in sample.serializers?["json"] ?? [] {
                    guard let text = variant.bytes, let message = try? json.deserialize(Array(text.utf8)) else { continue }
                    let ours: [UInt8] = try json.serialize(message)
                    // Both parsed by Foundation and written back by it with sorted keys: equal
                    // bytes mean equal values.
                    let theirs = try Self.foundationCanonical(Data(text.utf8))
                    let oursCanonical = try Self.foundationCanonical(Data(ours))
                    #expect(
                        oursCanonical == theirs,
                        "\(name): \(sample.description): wrote \(String(decoding: ours, as: UTF8.self)) for \(text)")
                    compared += 1
                }
            }
        }
        #expect(compared > 25, "only \(compared) samples compared")
    }

    static func foundationCanonical(_ data: Data) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    }

    func expectAttributes(_ expected: [String: PlainJSON], of message: WAMPMessage, _ context: String) throws {
        let actual = Self.attributes(of: message)
        for (key, expectedValue) in expected.sorted(by: { $0.key < $1.key }) {
            guard let actualValue = actual[key] else {
                Issue.record("\(context): attribute \(key) does not apply to \(message.type)")
                continue
            }
            #expect(actualValue == Self.normalize(expectedValue.value, for: key), "\(context): \(key)")
        }
    }

    /// Vector conventions: `args` and `kwargs` of `null` mean none.
    static func normalize(_ value: WAMPValue, for key: String) -> WAMPValue {
        switch (key, value) {
        case ("args", .null): return .list([])
        case ("kwargs", .null): return .dict([:])
        default: return value
        }
    }

    /// The message's fields under the attribute names the vectors use.
    static func attributes(of message: WAMPMessage) -> [String: WAMPValue] {
        var attributes: [String: WAMPValue] = ["message_type": .integer(message.type.rawValue)]
        func set(_ value: WAMPValue, _ names: String...) {
            for name in names { attributes[name] = value }
        }
        func id(_ value: WAMPID, _ names: String...) {
            for name in names { attributes[name] = .integer(exactly: value) }
        }
        func payload(_ payload: WAMPPayload) {
            set(.list(payload.args), "args")
            set(.dict(payload.kwargs), "kwargs")
            if case .transparent(let bytes) = payload {
                set(.string(hex(bytes)), "payload")
            } else {
                set(.null, "payload")
            }
        }
        switch message {
        case .hello(let m):
            set(.string(m.realm), "realm")
            set(.dict(m.details), "details")
            set(m.details["roles"] ?? .null, "roles")
        case .welcome(let m):
            id(m.session, "session_id", "session")
            set(.dict(m.details), "details")
            set(m.details["roles"] ?? .null, "roles")
        case .abort(let m):
            set(.dict(m.details), "details")
            set(.string(m.reason), "reason")
            payload(m.payload)
        case .challenge(let m):
            set(.string(m.authMethod), "method", "authmethod")
            set(.dict(m.extra), "extra")
        case .authenticate(let m):
            set(.string(m.signature), "signature")
            set(.dict(m.extra), "extra")
        case .goodbye(let m):
            set(.dict(m.details), "details")
            set(.string(m.reason), "reason")
        case .error(let m):
            set(.integer(m.requestType.rawValue), "request_type")
            id(m.request, "request_id", "request")
            set(.dict(m.details), "details")
            set(.string(m.error), "error")
            payload(m.payload)
        case .publish(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
            set(.string(m.topic), "topic")
            payload(m.payload)
        case .published(let m):
            id(m.request, "request_id", "request")
            id(m.publication, "publication_id", "publication")
        case .subscribe(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
            set(.string(m.topic), "topic")
        case .subscribed(let m):
            id(m.request, "request_id", "request")
            id(m.subscription, "subscription_id", "subscription")
        case .unsubscribe(let m):
            id(m.request, "request_id", "request")
            id(m.subscription, "subscription_id", "subscription")
        case .unsubscribed(let m):
            id(m.request, "request_id", "request")
            if let details = m.details { set(.dict(details), "details") }
        case .event(let m):
            id(m.subscription, "subscription_id", "subscription")
            id(m.publication, "publication_id", "publication")
            set(.dict(m.details), "details")
            payload(m.payload)
        case .eventReceived(let m):
            id(m.publication, "publication_id", "publication")
        case .call(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
            set(.string(m.procedure), "procedure")
            payload(m.payload)
        case .cancel(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
        case .result(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.details), "details")
            payload(m.payload)
        case .register(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
            set(.string(m.procedure), "procedure")
        case .registered(let m):
            id(m.request, "request_id", "request")
            id(m.registration, "registration_id", "registration")
        case .unregister(let m):
            id(m.request, "request_id", "request")
            id(m.registration, "registration_id", "registration")
        case .unregistered(let m):
            id(m.request, "request_id", "request")
            if let details = m.details { set(.dict(details), "details") }
        case .invocation(let m):
            id(m.request, "request_id", "request")
            id(m.registration, "registration_id", "registration")
            set(.dict(m.details), "details")
            payload(m.payload)
        case .interrupt(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
        case .yield(let m):
            id(m.request, "request_id", "request")
            set(.dict(m.options), "options")
            payload(m.payload)
        case .unknown(let m):
            set(.list(m.arguments), "arguments")
        }
        return attributes
    }
}

/// A JSON value decoded by `JSONDecoder`, independently of the serializer under test, as a
/// ``WAMPValue`` (booleans, integers and doubles kept apart by trying them in that order).
struct PlainJSON: Decodable {
    let value: WAMPValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            value = .integer(integer)
        } else if let integer = try? container.decode(UInt64.self) {
            value = .unsignedInteger(integer)
        } else if let double = try? container.decode(Double.self) {
            value = .double(double)
        } else if let string = try? container.decode(String.self) {
            value = .string(string)
        } else if let list = try? container.decode([PlainJSON].self) {
            value = .list(list.map(\.value))
        } else {
            value = .dict(try container.decode([String: PlainJSON].self).mapValues(\.value))
        }
    }
}
