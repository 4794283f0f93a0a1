public import Transport

/// One entry of a serializer's malformed-input table: bytes and the specific error they must
/// give.
public struct MalformedInputCase: Sendable, CustomStringConvertible {
    /// The error expected.
    public enum Outcome: Sendable, CustomStringConvertible {
        case serialization(WAMPSerializationError.Code)
        case protocolViolation(WAMPProtocolError.Code)

        public var description: String {
            switch self {
            case .serialization(let code): return "WAMPSerializationError.\(code)"
            case .protocolViolation(let code): return "WAMPProtocolError.\(code)"
            }
        }
    }

    public var name: String
    public var input: [UInt8]
    public var outcome: Outcome
    public var description: String { "\(name) → \(outcome)" }

    public init(_ name: String, _ input: [UInt8], _ outcome: Outcome) {
        self.name = name
        self.input = input
        self.outcome = outcome
    }

    /// What is wrong with decoding ``input`` through `serializer`: `nil` when it throws the
    /// expected error (a `WAMPSerializationError` naming the serializer by its id's name).
    public func problem(decodingWith serializer: any WAMPSerializer) -> String? {
        do {
            let message = try serializer.deserialize(input)
            return "decoded to \(message), expected \(outcome)"
        } catch let error as WAMPSerializationError {
            guard case .serialization(let code) = outcome, error.code == code else {
                return "got \(error), expected \(outcome)"
            }
            return error.serializer == serializer.id.name ? nil : "the error names serializer \(error.serializer)"
        } catch let error as WAMPProtocolError {
            guard case .protocolViolation(let code) = outcome, error.code == code else {
                return "got \(error), expected \(outcome)"
            }
            return nil
        } catch {
            return "unexpected error type: \(error)"
        }
    }
}
