import Testing
import Transport

@Suite("WAMPValue literals, equality and hashing")
struct WAMPValueTests {
    @Test("a nested literal builds the expected dict, list, integer, bool and double")
    func nestedLiteral() {
        let value: WAMPValue = ["a": 1, "b": [true, 2.5], "c": nil, "d": "text"]
        #expect(
            value
                == .dict([
                    "a": .integer(1),
                    "b": .list([.bool(true), .double(2.5)]),
                    "c": .null,
                    "d": .string("text"),
                ]))
        #expect(value["b"]?[0] == .bool(true))
        #expect(value["b"]?[1]?.doubleValue == 2.5)
        #expect(value["missing"] == nil)
    }

    @Test("a repeated key in a dict literal keeps its last value")
    func repeatedKeyInLiteral() {
        let value: WAMPValue = ["a": 1, "a": 2]
        #expect(value == ["a": 2])
    }

    @Test("a boolean is never equal to an integer")
    func boolIsNotInteger() {
        #expect(WAMPValue.integer(1) != .bool(true))
        #expect(WAMPValue.integer(0) != .bool(false))
        #expect(WAMPValue.unsignedInteger(1) != .bool(true))
    }

    @Test("an integer is never equal to a double of the same number")
    func integerIsNotDouble() {
        #expect(WAMPValue.integer(1) != .double(1))
        #expect(WAMPValue.integer(0) != .double(0))
    }

    @Test("an unsigned integer equals the signed integer of the same number, with the same hash")
    func unsignedEqualsSigned() {
        #expect(WAMPValue.unsignedInteger(5) == .integer(5))
        #expect(WAMPValue.integer(5) == .unsignedInteger(5))
        #expect(WAMPValue.unsignedInteger(5).hashValue == WAMPValue.integer(5).hashValue)
        #expect(Set<WAMPValue>([.unsignedInteger(5), .integer(5)]).count == 1)
        #expect(WAMPValue.integer(-1) != .unsignedInteger(UInt64.max))
        #expect(WAMPValue.integer(exactly: UInt64.max) == .unsignedInteger(UInt64.max))
        #expect(WAMPValue.integer(exactly: 7) == .integer(7))
    }

    @Test("the same value in a list or dict gives equal containers and hashes")
    func containersCompareByElement() {
        let a: WAMPValue = ["x": .list([.unsignedInteger(3)])]
        let b: WAMPValue = ["x": [3]]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }

    @Test("0.0 equals -0.0 and NaN equals NaN, with equal hashes")
    func doubleEdgeCases() {
        #expect(WAMPValue.double(0.0) == .double(-0.0))
        #expect(WAMPValue.double(0.0).hashValue == WAMPValue.double(-0.0).hashValue)
        #expect(WAMPValue.double(.nan) == .double(.nan))
        #expect(WAMPValue.double(.nan).hashValue == WAMPValue.double(-.nan).hashValue)
    }

    @Test("binary and a list of the same bytes are different values")
    func binaryIsNotList() {
        #expect(WAMPValue.binary([1, 2]) != .list([1, 2]))
        #expect(WAMPValue.binary([]) != .string(""))
    }

    @Test("accessors return a value only for their own kind")
    func accessors() {
        #expect(WAMPValue.bool(true).boolValue == true)
        #expect(WAMPValue.integer(1).boolValue == nil)
        #expect(WAMPValue.unsignedInteger(UInt64.max).int64Value == nil)
        #expect(WAMPValue.unsignedInteger(UInt64.max).uint64Value == UInt64.max)
        #expect(WAMPValue.integer(-1).uint64Value == nil)
        #expect(WAMPValue.integer(2).doubleValue == 2)
        #expect(WAMPValue.string("2").int64Value == nil)
        #expect(WAMPValue.null.isNull)
        #expect(WAMPValue.binary([1]).binaryValue == [1])
        #expect(WAMPValue.unsignedInteger(1).kindName == "integer")
    }

    @Test("the description is JSON-like, with sorted keys and binary in hex")
    func description() {
        let value: WAMPValue = ["b": [1, 2.5, nil], "a": .binary([0xCA, 0xFE]), "c": true]
        #expect(value.description == #"{"a": <cafe>, "b": [1, 2.5, null], "c": true}"#)
    }
}
