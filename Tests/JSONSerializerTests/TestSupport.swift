import Foundation
import JSONSerializer
import NIOCore
import Testing
import Transport

/// The serializer under test, with the default configuration.
let json = WAMPJSONSerializer()

/// Decodes a message from JSON text.
func decode(_ text: String, with serializer: WAMPJSONSerializer = json) throws -> WAMPMessage {
    try serializer.deserialize(Array(text.utf8))
}

/// Serializes a message and returns the JSON text.
func encode(_ message: WAMPMessage, with serializer: WAMPJSONSerializer = json) throws -> String {
    let bytes: [UInt8] = try serializer.serialize(message)
    return String(decoding: bytes, as: UTF8.self)
}

/// Serializes one value and returns the JSON text.
func encodeValue(_ value: WAMPValue, with serializer: WAMPJSONSerializer = json) throws -> String {
    var buffer = ByteBuffer()
    try serializer.serializeValue(value, into: &buffer)
    return String(buffer: buffer)
}

/// Decodes one value from JSON text.
func decodeValue(_ text: String, with serializer: WAMPJSONSerializer = json) throws -> WAMPValue {
    try serializer.deserializeValue(ByteBuffer(string: text))
}

/// The error a failing decode is expected to throw.
enum ExpectedError: Sendable, Equatable, CustomStringConvertible {
    case serialization(WAMPSerializationError.Code)
    case protocolViolation(WAMPProtocolError.Code)

    var description: String {
        switch self {
        case .serialization(let code): return "WAMPSerializationError.\(code)"
        case .protocolViolation(let code): return "WAMPProtocolError.\(code)"
        }
    }

    /// The expectation matching a thrown error, or `nil` for an error of another type.
    init?(_ error: any Error) {
        switch error {
        case let error as WAMPSerializationError: self = .serialization(error.code)
        case let error as WAMPProtocolError: self = .protocolViolation(error.code)
        default: return nil
        }
    }
}

/// The error that decoding `bytes` throws, classified; records an issue if it succeeds or
/// throws something else.
func decodingError(
    _ bytes: [UInt8], with serializer: WAMPJSONSerializer = json, sourceLocation: SourceLocation = #_sourceLocation
) -> ExpectedError? {
    do {
        let message = try serializer.deserialize(bytes)
        Issue.record("decoded to \(message) instead of failing", sourceLocation: sourceLocation)
        return nil
    } catch {
        guard let classified = ExpectedError(error) else {
            Issue.record("threw \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return nil
        }
        return classified
    }
}

/// A small, fast, seedable random number generator (SplitMix64), so that random tests
/// are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Lowercase hexadecimal of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}

/// The bytes of a hexadecimal string.
func bytes(fromHex hex: String) -> [UInt8]? {
    let utf8 = Array(hex.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2)
    var index = 0
    while index < utf8.count {
        guard let byte = UInt8(String(decoding: utf8[index ..< index + 2], as: UTF8.self), radix: 16) else { return nil }
        out.append(byte)
        index += 2
    }
    return out
}

/// The package root: the nearest directory above this file that holds `Package.swift`.
func packageRoot(filePath: String = #filePath) -> URL {
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            return directory
        }
        directory.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
