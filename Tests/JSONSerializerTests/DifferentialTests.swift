import Foundation
import JSONSerializer
import NIOCore
import Testing
import Transport

/// The writer checked against an independent parser, and the reader against random input.
@Suite("Differential and robustness")
struct DifferentialTests {
    @Test("writer output parses with Foundation's JSONSerialization back to the same value (200 random trees)")
    func writerOutputMatchesFoundationParser() throws {
        var generator = SplitMix64(seed: 0x5EED_1234)
        for iteration in 0 ..< 200 {
            let value = RandomValues.value(depth: 0, using: &generator)
            var buffer = ByteBuffer()
            try json.serializeValue(value, into: &buffer)
            let bytes = Data(buffer.readableBytesView)
            let text = String(decoding: bytes, as: UTF8.self)

            let object = try JSONSerialization.jsonObject(with: bytes, options: .fragmentsAllowed)
            #expect(FoundationOracle.matches(object, value), "iteration \(iteration): \(text)")

            // And the serializer's own reader agrees.
            #expect(try json.deserializeValue(buffer) == value, "iteration \(iteration): \(text)")
        }
    }

    @Test("random messages survive a round trip (200 random EVENTs and CALLs)")
    func randomMessagesRoundTrip() throws {
        var generator = SplitMix64(seed: 42)
        for iteration in 0 ..< 200 {
            let args = (0 ..< Int.random(in: 0 ... 4, using: &generator)).map { _ in RandomValues.value(depth: 1, using: &generator) }
            var kwargs: [String: WAMPValue] = [:]
            for _ in 0 ..< Int.random(in: 0 ... 3, using: &generator) {
                kwargs[RandomValues.string(using: &generator)] = RandomValues.value(depth: 1, using: &generator)
            }
            let id = UInt64.random(in: WAMPID.wampRange, using: &generator)
            let message: WAMPMessage = iteration.isMultiple(of: 2)
                ? .event(.init(subscription: id, publication: 1, details: kwargs, payload: .arguments(args, kwargs)))
                : .call(.init(request: id, options: kwargs, procedure: "com.example.p\(iteration)", payload: .arguments(args, kwargs)))
            let text = try encode(message)
            #expect(try decode(text) == message, "iteration \(iteration): \(text)")
        }
    }

    @Test("mutated and random input never crashes: it decodes or throws a serialization or protocol error")
    func mutatedInputNeverCrashes() throws {
        var generator = SplitMix64(seed: 99)
        let seeds = [
            #"[36,5512315355,4429313566,{"publisher":123,"topic":"com.a.b"},["hello",42,3.14,true,null],{"k":"v"}]"#,
            #"[16,1,{"enc_algo":"cryptobox"},"com.example.t","\u0000AAEC//79"]"#,
            #"[1,"realm1",{"roles":{"subscriber":{"features":{"payload_passthru_mode":true}}}}]"#,
            #"[8,48,7814135,{},"com.myapp.error",["a\"b\\c\n"],{"x":[1,[2,[3,{"y":-1.5e-3}]]]}]"#,
        ].map { Array($0.utf8) }
        let interesting: [UInt8] = Array(#"[]{}",:\u0123456789-+.eEtrufalsn "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xE2, 0xED, 0xF4, 0xFF]
        var outcomes = (decoded: 0, refused: 0)
        for iteration in 0 ..< 3000 {
            var input: [UInt8]
            if iteration % 10 == 9 {
                input = (0 ..< Int.random(in: 0 ... 40, using: &generator)).map { _ in
                    interesting.randomElement(using: &generator)!
                }
            } else {
                input = seeds[iteration % seeds.count]
                for _ in 0 ..< Int.random(in: 1 ... 4, using: &generator) {
                    let position = Int.random(in: 0 ..< input.count, using: &generator)
                    switch Int.random(in: 0 ..< 4, using: &generator) {
                    case 0: input[position] = interesting.randomElement(using: &generator)!
                    case 1: input.remove(at: position)
                    case 2: input.insert(interesting.randomElement(using: &generator)!, at: position)
                    default: input = Array(input[..<position])
                    }
                    if input.isEmpty { break }
                }
            }
            do {
                let message = try json.deserialize(input)
                // Whatever decodes must encode and decode again to the same message.
                #expect(try decode(encode(message)) == message, "\(String(decoding: input, as: UTF8.self))")
                outcomes.decoded += 1
            } catch is WAMPSerializationError {
                outcomes.refused += 1
            } catch is WAMPProtocolError {
                outcomes.refused += 1
            } catch {
                Issue.record("unexpected \(type(of: error)) for \(String(decoding: input, as: UTF8.self)): \(error)")
            }
        }
        #expect(outcomes.decoded > 0)
        #expect(outcomes.refused > 0)
    }
}

/// Random ``WAMPValue`` trees with the values JSON finds hard: extreme integers and doubles,
/// escapes, non-ASCII text, binary.
enum RandomValues {
    static func value(depth: Int, using generator: inout SplitMix64) -> WAMPValue {
        let kinds = depth >= 4 ? 7 : 9
        switch Int.random(in: 0 ..< kinds, using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(integer(using: &generator))
        case 3: return .unsignedInteger(UInt64.random(in: UInt64(Int64.max) + 1 ... .max, using: &generator))
        case 4: return .double(double(using: &generator))
        case 5: return .string(string(using: &generator))
        case 6: return .binary((0 ..< Int.random(in: 0 ... 20, using: &generator)).map { _ in UInt8.random(in: 0 ... 255, using: &generator) })
        case 7:
            return .list((0 ..< Int.random(in: 0 ... 5, using: &generator)).map { _ in value(depth: depth + 1, using: &generator) })
        default:
            var entries: [String: WAMPValue] = [:]
            for _ in 0 ..< Int.random(in: 0 ... 5, using: &generator) {
                entries[string(using: &generator)] = value(depth: depth + 1, using: &generator)
            }
            return .dict(entries)
        }
    }

    static func integer(using generator: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0 ..< 4, using: &generator) {
        case 0: return [0, 1, -1, .max, .min, .min + 1, 1 << 53, -(1 << 53), (1 << 53) + 1].randomElement(using: &generator)!
        case 1: return Int64.random(in: -1000 ... 1000, using: &generator)
        default: return Int64.random(in: .min ... .max, using: &generator)
        }
    }

    static func double(using generator: inout SplitMix64) -> Double {
        switch Int.random(in: 0 ..< 4, using: &generator) {
        case 0:
            return [0.0, -0.0, 1.0, -1.0, 0.1, 3.14, 1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                    .leastNormalMagnitude, 9007199254740993.0, 1e16, 123456789.0].randomElement(using: &generator)!
        case 1:
            return Double(Int.random(in: -1_000_000 ... 1_000_000, using: &generator)) / 1000
        default:
            while true {
                let double = Double(bitPattern: generator.next())
                if double.isFinite { return double }
            }
        }
    }

    private static let scalars: [Unicode.Scalar] = Array("aZ09 _-.:/\"\\\n\r\t\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}éß€中😀\u{2028}\u{FEFF}\u{FFFF}\u{10FFFF}".unicodeScalars)

    /// A random string that does not start with U+0000 (which in WAMP's JSON marks binary).
    static func string(using generator: inout SplitMix64) -> String {
        var string = String.UnicodeScalarView()
        for index in 0 ..< Int.random(in: 0 ... 12, using: &generator) {
            var scalar = scalars.randomElement(using: &generator)!
            if index == 0, scalar == "\u{0}" { scalar = "x" }
            string.append(scalar)
        }
        return String(string)
    }
}

/// Compares `JSONSerialization` output with a ``WAMPValue`` independently of the serializer
/// under test: booleans by class name, numbers by `objCType`, binary with Foundation's base64.
///
/// Foundation returns literals of more than 17 characters as `NSDecimalNumber`, which does
/// not say whether the literal was an integer or a float; those match by value alone.
enum FoundationOracle {
    static func matches(_ object: Any, _ value: WAMPValue) -> Bool {
        switch (object, value) {
        case (is NSNull, .null):
            return true
        case (let string as String, _):
            guard string.unicodeScalars.first == "\u{0}" else { return value == .string(string) }
            guard let data = Data(base64Encoded: String(string.unicodeScalars.dropFirst())) else { return false }
            return value == .binary(Array(data))
        case (let number as NSNumber, _):
            if String(describing: type(of: number)).contains("Boolean") { return value == .bool(number.boolValue) }
            if let decimal = number as? NSDecimalNumber {
                switch value {
                case .integer(let integer): return Int64(decimal.stringValue) == integer
                case .unsignedInteger(let integer): return UInt64(decimal.stringValue) == integer
                case .double(let double): return Double(decimal.stringValue) == double
                default: return false
                }
            }
            switch String(cString: number.objCType) {
            case "d", "f": return value == .double(number.doubleValue)
            case "Q": return value == .integer(exactly: number.uint64Value)
            default: return value == .integer(number.int64Value)
            }
        case (let list as [Any], .list(let elements)):
            return list.count == elements.count && zip(list, elements).allSatisfy { matches($0, $1) }
        case (let dict as [String: Any], .dict(let entries)):
            return dict.count == entries.count && dict.allSatisfy { key, element in
                entries[key].map { matches(element, $0) } ?? false
            }
        default:
            return false
        }
    }
}
