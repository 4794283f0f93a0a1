import Testing
import Transport

// MARK: Types under test

private enum Color: String, Codable, Equatable {
    case red, green, blue
}

private enum Priority: Int, Codable, Equatable {
    case low = 1, high = 10
}

private struct Address: Codable, Equatable {
    var street: String
    var zip: String?
}

private struct Person: Codable, Equatable {
    var name: String
    var age: Int
    var height: Double
    var active: Bool
    var nickname: String?
    var favorite: Color
    var priority: Priority
    var addresses: [Address]
    var scores: [String: Int]
    var tags: Set<String>
}

private struct Widths: Codable, Equatable {
    var i: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64
    var f: Float, d: Double

    static let min = Widths(
        i: .min, i8: .min, i16: .min, i32: .min, i64: .min, u: .min, u8: .min, u16: .min, u32: .min, u64: .min,
        f: -.greatestFiniteMagnitude, d: -.greatestFiniteMagnitude)
    static let max = Widths(
        i: .max, i8: .max, i16: .max, i32: .max, i64: .max, u: .max, u8: .max, u16: .max, u32: .max, u64: .max,
        f: .greatestFiniteMagnitude, d: .greatestFiniteMagnitude)
}

private enum Shape: Codable, Equatable {
    case circle(radius: Double)
    case rectangle(width: Double, height: Double)
    case point
}

private class Animal: Codable {
    var name: String
    init(name: String) { self.name = name }
}

private final class Dog: Animal {
    var breed: String

    init(name: String, breed: String) {
        self.breed = breed
        super.init(name: name)
    }

    private enum CodingKeys: String, CodingKey { case breed }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        breed = try container.decode(String.self, forKey: .breed)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(breed, forKey: .breed)
        try super.encode(to: container.superEncoder())
    }
}

/// A point that encodes as a two-element list, through an unkeyed container.
private struct Point: Codable, Equatable {
    var x: Int
    var y: Int

    init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        x = try container.decode(Int.self)
        y = try container.decode(Int.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(x)
        try container.encode(y)
    }
}

/// Uses nested keyed and unkeyed containers explicitly.
private struct Nested: Codable, Equatable {
    var id: Int
    var corners: [Point]
    var label: String

    private enum CodingKeys: String, CodingKey { case id, geometry }
    private enum GeometryKeys: String, CodingKey { case corners, meta }
    private enum MetaKeys: String, CodingKey { case label }

    init(id: Int, corners: [Point], label: String) {
        self.id = id
        self.corners = corners
        self.label = label
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        let geometry = try container.nestedContainer(keyedBy: GeometryKeys.self, forKey: .geometry)
        var cornersContainer = try geometry.nestedUnkeyedContainer(forKey: .corners)
        var corners: [Point] = []
        while !cornersContainer.isAtEnd {
            var pair = try cornersContainer.nestedUnkeyedContainer()
            corners.append(Point(x: try pair.decode(Int.self), y: try pair.decode(Int.self)))
        }
        self.corners = corners
        label = try geometry.nestedContainer(keyedBy: MetaKeys.self, forKey: .meta).decode(String.self, forKey: .label)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        var geometry = container.nestedContainer(keyedBy: GeometryKeys.self, forKey: .geometry)
        var cornersContainer = geometry.nestedUnkeyedContainer(forKey: .corners)
        for corner in corners {
            var pair = cornersContainer.nestedUnkeyedContainer()
            try pair.encode(corner.x)
            try pair.encode(corner.y)
        }
        var meta = geometry.nestedContainer(keyedBy: MetaKeys.self, forKey: .meta)
        try meta.encode(label, forKey: .label)
    }
}

private struct WithRawValues: Codable, Equatable {
    var any: WAMPValue
    var bytes: WAMPBinary
    var plainBytes: [UInt8]
}

private struct Order: Codable, Equatable {
    var item: String
    var quantity: Int
    var note: String?
}

private struct Line: Codable, Equatable {
    var quantity: UInt8
}

private struct Invoice: Codable, Equatable {
    var lines: [Line]
}

private struct Nothing: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

private struct TwoSingleValues: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(1)
        try container.encode(2)
    }
}

private struct KeyedThenUnkeyed: Encodable {
    private enum CodingKeys: CodingKey { case a }

    func encode(to encoder: any Encoder) throws {
        var keyed = encoder.container(keyedBy: CodingKeys.self)
        try keyed.encode(1, forKey: .a)
        var unkeyed = encoder.unkeyedContainer()
        try unkeyed.encode(2)
    }
}

private struct UserInfoReader: Encodable, Decodable {
    static let key = CodingUserInfoKey(rawValue: "test.prefix")!
    var text: String

    init(text: String) { self.text = text }

    init(from decoder: any Decoder) throws {
        let prefix = decoder.userInfo[Self.key] as? String ?? ""
        text = prefix + (try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode((encoder.userInfo[Self.key] as? String ?? "") + text)
    }
}

// MARK: Tests

@Suite("Codable bridging: WAMPValueEncoder and WAMPValueDecoder")
struct CodableTests {
    let encoder = WAMPValueEncoder()
    let decoder = WAMPValueDecoder()

    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> WAMPValue {
        let encoded = try encoder.encode(value)
        let decoded = try decoder.decode(T.self, from: encoded)
        #expect(decoded == value)
        return encoded
    }

    fileprivate static let ada = Person(
        name: "Ada", age: 36, height: 1.65, active: true, nickname: nil, favorite: .green, priority: .high,
        addresses: [Address(street: "1 Main St", zip: "12345"), Address(street: "Unknown", zip: nil)],
        scores: ["math": 100, "poetry": 90], tags: ["a"])

    @Test("a nested struct with optionals, raw-value enums, arrays and dictionaries round-trips")
    func nestedStructRoundTrip() throws {
        let encoded = try roundTrip(Self.ada)
        #expect(
            encoded
                == [
                    "name": "Ada", "age": 36, "height": 1.65, "active": true, "favorite": "green", "priority": 10,
                    "addresses": [["street": "1 Main St", "zip": "12345"], ["street": "Unknown"]],
                    "scores": ["math": 100, "poetry": 90], "tags": ["a"],
                ])
    }

    @Test("a nil optional property is left out, and null or a missing key decode as nil")
    func optionals() throws {
        #expect(try encoder.encode(Order(item: "tea", quantity: 2, note: nil)) == ["item": "tea", "quantity": 2])
        #expect(try encoder.encode(Order(item: "tea", quantity: 2, note: "hot"))["note"] == "hot")
        #expect(try decoder.decode(Order.self, from: ["item": "tea", "quantity": 2, "note": nil]).note == nil)
        #expect(try decoder.decode(Order.self, from: ["item": "tea", "quantity": 2]).note == nil)
        #expect(try roundTrip([1, nil, 3] as [Int?]) == [1, nil, 3])
        #expect(try roundTrip(Int?.none) == nil)
        #expect(try roundTrip(Int?.some(4)) == 4)
    }

    @Test("every integer width round-trips at its minimum and maximum")
    func integerWidths() throws {
        let max = try roundTrip(Widths.max)
        #expect(max["i8"] == .integer(127))
        #expect(max["u32"] == .integer(Int64(UInt32.max)))
        #expect(max["i64"] == .integer(.max))
        #expect(max["f"] == .double(Double(Float.greatestFiniteMagnitude)))
        let min = try roundTrip(Widths.min)
        #expect(min["i64"] == .integer(.min))
        #expect(min["u64"] == .integer(0))
    }

    @Test("UInt64.max encodes as unsignedInteger and decodes back; other UInt64 values as integer")
    func uint64Max() throws {
        #expect(try roundTrip(UInt64.max) == .unsignedInteger(.max))
        #expect(try encoder.encode(UInt64.max).int64Value == nil)
        let encoded = try encoder.encode(UInt64(Int64.max))
        guard case .integer = encoded else {
            Issue.record("expected .integer, got \(encoded)")
            return
        }
        #expect(try roundTrip([UInt64.max, 0, 1 << 63]) == [.unsignedInteger(.max), 0, .unsignedInteger(1 << 63)])
    }

    @Test("Int128 and UInt128 within 64 bits encode as integers; beyond, EncodingError")
    func int128() throws {
        #expect(try roundTrip(Int128(-5)) == -5)
        #expect(try roundTrip(UInt128(UInt64.max)) == .unsignedInteger(.max))
        #expect(throws: EncodingError.self) { try encoder.encode(UInt128(UInt64.max) + 1) }
        #expect(throws: EncodingError.self) { try encoder.encode(["x": Int128(Int64.min) - 1]) }
    }

    @Test("doubles and floats round-trip; a Double decodes from an integer")
    func doubles() throws {
        #expect(try roundTrip(2.5) == .double(2.5))
        #expect(try roundTrip(Float(0.1)) == .double(Double(Float(0.1))))
        let doubles: [Double] = [-0.0, .leastNonzeroMagnitude, 1e300]
        #expect(try roundTrip(doubles) == [.double(-0.0), .double(.leastNonzeroMagnitude), 1e300])
        #expect(try decoder.decode(Double.self, from: 1) == 1.0)
        #expect(try decoder.decode(Float.self, from: .unsignedInteger(.max)) == Float(UInt64.max))
        #expect(try decoder.decode(Double.self, from: .double(.infinity)) == .infinity)
        #expect(try decoder.decode(Double.self, from: .double(.nan)).isNaN)
    }

    @Test("a Bool is never confused with an integer, in either direction")
    func boolIsNotInt() throws {
        #expect(try encoder.encode(true) == .bool(true))
        #expect(try encoder.encode(1) == .integer(1))
        #expect(try encoder.encode([true, false]) == [true, false])
        let boolFromInt = #expect(throws: DecodingError.self) { try decoder.decode(Bool.self, from: 1) }
        guard case .typeMismatch = boolFromInt else {
            Issue.record("expected typeMismatch, got \(String(describing: boolFromInt))")
            return
        }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: true) }
        #expect(throws: DecodingError.self) { try decoder.decode(Double.self, from: false) }
    }

    @Test("an enum with associated values round-trips through nested keyed containers")
    func enumWithAssociatedValues() throws {
        #expect(try roundTrip(Shape.circle(radius: 2)) == ["circle": ["radius": 2.0]])
        _ = try roundTrip([Shape.rectangle(width: 1, height: 2), .point])
    }

    @Test("a subclass round-trips through superEncoder and superDecoder")
    func classHierarchy() throws {
        let encoded = try encoder.encode(Dog(name: "Rex", breed: "collie"))
        #expect(encoded == ["breed": "collie", "super": ["name": "Rex"]])
        let dog = try decoder.decode(Dog.self, from: encoded)
        #expect(dog.name == "Rex" && dog.breed == "collie")
    }

    @Test("explicit nested keyed and unkeyed containers round-trip")
    func nestedContainers() throws {
        let encoded = try roundTrip(Nested(id: 7, corners: [Point(x: 1, y: 2), Point(x: 3, y: 4)], label: "box"))
        #expect(encoded == ["id": 7, "geometry": ["corners": [[1, 2], [3, 4]], "meta": ["label": "box"]]])
    }

    @Test("a type with an unkeyed encoding becomes a list")
    func unkeyedType() throws {
        #expect(try roundTrip(Point(x: 1, y: -2)) == [1, -2])
    }

    @Test("dictionaries with String and Int keys become dicts with string keys")
    func dictionaries() throws {
        #expect(try roundTrip(["a": [1, 2], "b": []]) == ["a": [1, 2], "b": []])
        #expect(try roundTrip([1: "one", 20: "twenty"]) == ["1": "one", "20": "twenty"])
        #expect(try roundTrip([String: Int]()) == [:])
    }

    @Test("a WAMPValue inside a Codable type is kept as it is, binary included")
    func wampValueInside() throws {
        let value = WithRawValues(
            any: ["x": .binary([1, 2]), "y": .unsignedInteger(.max), "z": [nil, 1.5]], bytes: [0xCA, 0xFE], plainBytes: [1, 2])
        let encoded = try roundTrip(value)
        #expect(
            encoded
                == [
                    "any": ["x": .binary([1, 2]), "y": .unsignedInteger(.max), "z": [nil, 1.5]],
                    "bytes": .binary([0xCA, 0xFE]),
                    "plainBytes": [1, 2],
                ])
        #expect(try encoder.encode(WAMPValue.binary([9])) == .binary([9]))
        #expect(try decoder.decode(WAMPValue.self, from: .binary([9])) == .binary([9]))
    }

    @Test("WAMPBinary encodes as binary; [UInt8] as a list of integers; each decodes from both")
    func binary() throws {
        #expect(try encoder.encode(WAMPBinary([1, 2, 255])) == .binary([1, 2, 255]))
        #expect(try encoder.encode([1, 2, 255] as [UInt8]) == [1, 2, 255])
        #expect(try decoder.decode([UInt8].self, from: .binary([1, 2])) == [1, 2])
        #expect(try decoder.decode(WAMPBinary.self, from: [1, 2]) == [1, 2])
        let error = #expect(throws: DecodingError.self) { try decoder.decode(WAMPBinary.self, from: [1, 256]) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.intValue) == [1])
        #expect(throws: DecodingError.self) { try decoder.decode(WAMPBinary.self, from: "AQI=") }
        #expect(WAMPBinary([0xCA, 0xFE]).description == "<cafe>")
    }

    @Test("the userInfo of encoder and decoder reaches the types")
    func userInfo() throws {
        let encoder = WAMPValueEncoder(userInfo: [UserInfoReader.key: "e:"])
        let decoder = WAMPValueDecoder(userInfo: [UserInfoReader.key: "d:"])
        #expect(try encoder.encode([UserInfoReader(text: "x")]) == ["e:x"])
        #expect(try decoder.decode([UserInfoReader].self, from: ["y"]).first?.text == "d:y")
    }

    // MARK: Decoding errors

    @Test("a type mismatch names the expected type, the value found and the path")
    func typeMismatch() throws {
        let error = #expect(throws: DecodingError.self) {
            try decoder.decode(Order.self, from: ["item": "tea", "quantity": "two"])
        }
        guard case .typeMismatch(_, let context) = error else {
            Issue.record("expected typeMismatch, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["quantity"])
        #expect(context.debugDescription.contains("string \"two\""))
        #expect(context.debugDescription.contains("Int"))
    }

    @Test("a double is not truncated to an integer")
    func doubleIsNotInteger() {
        let error = #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: 1.0) }
        guard case .typeMismatch = error else {
            Issue.record("expected typeMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test(
        "an integer out of the type's range throws dataCorrupted",
        arguments: [
            (WAMPValue.integer(300), "UInt8"), (.integer(-1), "UInt64"), (.integer(128), "Int8"),
            (.unsignedInteger(.max), "Int64"), (.integer(-32769), "Int16"), (.integer(Int64(UInt32.max) + 1), "UInt32"),
        ])
    func outOfRange(_ value: WAMPValue, _ typeName: String) {
        let error = #expect(throws: DecodingError.self) {
            switch typeName {
            case "UInt8": _ = try decoder.decode(UInt8.self, from: value)
            case "UInt64": _ = try decoder.decode(UInt64.self, from: value)
            case "Int8": _ = try decoder.decode(Int8.self, from: value)
            case "Int64": _ = try decoder.decode(Int64.self, from: value)
            case "Int16": _ = try decoder.decode(Int16.self, from: value)
            default: _ = try decoder.decode(UInt32.self, from: value)
            }
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.contains("\(value)"))
        #expect(context.debugDescription.contains(typeName))
    }

    @Test("300 decoded as UInt8 deep in a struct names the path")
    func outOfRangePath() {
        let error = #expect(throws: DecodingError.self) {
            try decoder.decode(Invoice.self, from: ["lines": [["quantity": 1], ["quantity": 300]]])
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["lines", "Index 1", "quantity"])
        #expect(context.debugDescription == "The integer 300 does not fit in UInt8.")
    }

    @Test("a Float out of range throws dataCorrupted")
    func floatOutOfRange() {
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: 1e300) }
    }

    @Test("a missing key throws keyNotFound naming the key")
    func missingKey() {
        let error = #expect(throws: DecodingError.self) { try decoder.decode(Order.self, from: ["item": "tea"]) }
        guard case .keyNotFound(let key, let context) = error else {
            Issue.record("expected keyNotFound, got \(String(describing: error))")
            return
        }
        #expect(key.stringValue == "quantity")
        #expect(context.codingPath.isEmpty)
    }

    @Test("null for a required value throws valueNotFound")
    func nullForRequired() {
        let error = #expect(throws: DecodingError.self) {
            try decoder.decode(Order.self, from: ["item": nil, "quantity": 1])
        }
        guard case .valueNotFound = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
    }

    @Test("a list too short for an unkeyed type throws valueNotFound")
    func listTooShort() {
        let error = #expect(throws: DecodingError.self) { try decoder.decode(Point.self, from: [1]) }
        guard case .valueNotFound(_, let context) = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.intValue) == [1])
    }

    @Test("a dict where a list belongs, and a list where a dict belongs, are type mismatches")
    func containerMismatch() {
        #expect(throws: DecodingError.self) { try decoder.decode([Int].self, from: ["a": 1]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Order.self, from: ["tea", 1]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Color.self, from: "purple") }
    }

    @Test("unknown keys are ignored")
    func unknownKeysIgnored() throws {
        let order = try decoder.decode(Order.self, from: ["item": "tea", "quantity": 1, "extra": [1, 2]])
        #expect(order == Order(item: "tea", quantity: 1, note: nil))
    }

    // MARK: Encoding errors

    @Test("a value that encodes nothing throws EncodingError at the top level; nested it is an empty dict")
    func encodesNothing() throws {
        #expect(throws: EncodingError.self) { try encoder.encode(Nothing()) }
        #expect(try encoder.encode(["x": Nothing()]) == ["x": [:]])
    }

    @Test("two values in one single-value container throw EncodingError")
    func twoSingleValues() {
        #expect(throws: EncodingError.self) { try encoder.encode(TwoSingleValues()) }
        #expect(throws: EncodingError.self) { try encoder.encode([TwoSingleValues()]) }
    }

    @Test("a keyed and an unkeyed container for one value throw EncodingError naming the path")
    func containerConflict() {
        let error = #expect(throws: EncodingError.self) { try encoder.encode(["field": KeyedThenUnkeyed()]) }
        guard case .invalidValue(_, let context) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["field"])
    }
}

@Suite("Payloads from and to Codable values")
struct PayloadCodableTests {
    @Test("a value that encodes as a list becomes Args")
    func listBecomesArgs() throws {
        #expect(try WAMPPayload.encoding([2, 3]) == .arguments([2, 3], [:]))
        #expect(try WAMPPayload.encoding([Int]()) == .empty)
    }

    @Test("a value that encodes as a dict becomes Kw")
    func dictBecomesKw() throws {
        let payload = try WAMPPayload.encoding(Order(item: "tea", quantity: 2, note: nil))
        #expect(payload == .arguments([], ["item": "tea", "quantity": 2]))
        let message = WAMPMessage.call(.init(request: 1, procedure: "com.example.order", payload: payload))
        #expect(message.elements == [48, 1, [:], "com.example.order", [], ["item": "tea", "quantity": 2]])
    }

    @Test("any other value becomes the one positional argument")
    func scalarBecomesOneArg() throws {
        #expect(try WAMPPayload.encoding("hello") == .arguments(["hello"], [:]))
        #expect(try WAMPPayload.encoding(WAMPBinary([1])) == .arguments([.binary([1])], [:]))
        #expect(try WAMPPayload.encoding(Int?.none) == .arguments([nil], [:]))
    }

    @Test("decodeArgs, decodeKwargs and decodeArgument read the payload back")
    func decoding() throws {
        let payload = WAMPPayload.arguments(["tea", 2, [1, 2]], ["item": "tea", "quantity": 2])
        #expect(try payload.decodeArgument(String.self, at: 0) == "tea")
        #expect(try payload.decodeArgument(Int.self, at: 1) == 2)
        #expect(try payload.decodeArgument([UInt8].self, at: 2) == [1, 2])
        #expect(try payload.decodeKwargs(Order.self) == Order(item: "tea", quantity: 2, note: nil))
        #expect(try WAMPPayload.arguments([4, 5], [:]).decodeArgs([Int].self) == [4, 5])
        #expect(try WAMPPayload.empty.decodeArgs([Int].self) == [])
        #expect(try WAMPPayload.empty.decodeKwargs([String: Int].self) == [:])
    }

    @Test("a missing argument throws valueNotFound with its index as path")
    func missingArgument() {
        let error = #expect(throws: DecodingError.self) { try WAMPPayload.arguments([1], [:]).decodeArgument(Int.self, at: 1) }
        guard case .valueNotFound(_, let context) = error else {
            Issue.record("expected valueNotFound, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.intValue) == [1])
        #expect(throws: DecodingError.self) { try WAMPPayload.arguments([1], [:]).decodeArgument(Int.self, at: -1) }
    }

    @Test("a wrong argument names its index in the path")
    func wrongArgumentPath() {
        let error = #expect(throws: DecodingError.self) {
            try WAMPPayload.arguments([1, ["quantity": 300]], [:]).decodeArgument(Line.self, at: 1)
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["Index 1", "quantity"])
    }

    @Test("a passthru payload has no Args or Kw to decode")
    func passthruCannotBeDecoded() {
        let payload = WAMPPayload.transparent([1, 2, 3])
        #expect(throws: DecodingError.self) { try payload.decodeArgs([Int].self) }
        #expect(throws: DecodingError.self) { try payload.decodeKwargs([String: Int].self) }
        #expect(throws: DecodingError.self) { try payload.decodeArgument(Int.self, at: 0) }
    }

    @Test("a Codable value survives a whole message round trip through the list form")
    func throughMessage() throws {
        let payload = try WAMPPayload.encoding(Order(item: "tea", quantity: 2, note: "hot"))
        let sent = WAMPMessage.publish(.init(request: 5, topic: "com.example.orders", payload: payload))
        guard case .publish(let received) = try WAMPMessage(elements: sent.elements) else {
            Issue.record("expected PUBLISH")
            return
        }
        #expect(try received.payload.decodeKwargs(Order.self) == Order(item: "tea", quantity: 2, note: "hot"))
    }
}
