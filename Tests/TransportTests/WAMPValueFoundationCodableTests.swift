import Foundation
import Testing
import Transport

@Suite("WAMPValue with Foundation's JSONEncoder and JSONDecoder")
struct WAMPValueFoundationCodableTests {
    @Test("JSONDecoder reads every kind of JSON value into the matching WAMPValue")
    func decodeFromJSON() throws {
        let json = #"{"a": 1, "b": [true, 2.5, "x", null], "c": {"d": -3}, "e": 18446744073709551615, "f": false}"#
        let value = try JSONDecoder().decode(WAMPValue.self, from: Data(json.utf8))
        #expect(
            value
                == [
                    "a": 1, "b": [true, 2.5, "x", nil], "c": ["d": -3], "e": .unsignedInteger(.max), "f": false,
                ])
    }

    @Test("JSONEncoder writes the natural JSON shape; binary becomes a list of bytes")
    func encodeToJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value: WAMPValue = ["a": 1, "b": [true, 2.5, nil], "bin": .binary([1, 255]), "u": .unsignedInteger(.max)]
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(json == #"{"a":1,"b":[true,2.5,null],"bin":[1,255],"u":18446744073709551615}"#)
    }

    @Test("JSON text survives a WAMPValue round trip, except that binary comes back as a list")
    func jsonRoundTrip() throws {
        let value: WAMPValue = ["list": [1, -2, 3.25, "s", [:], []], "nested": ["deep": [nil, true]]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(WAMPValue.self, from: data) == value)
        let binary = try JSONDecoder().decode(WAMPValue.self, from: JSONEncoder().encode(WAMPValue.binary([7, 8])))
        #expect(binary == [7, 8])
    }

    @Test("WAMPBinary encodes as a list of bytes with JSONEncoder and decodes back")
    func binaryWithJSON() throws {
        let data = try JSONEncoder().encode(WAMPBinary([0xCA, 0xFE]))
        #expect(String(decoding: data, as: UTF8.self) == "[202,254]")
        #expect(try JSONDecoder().decode(WAMPBinary.self, from: data) == [0xCA, 0xFE])
    }
}
