/// Reads and validates the elements of one message's list form; the errors it throws name
/// the message type, the field and the offending value.
@usableFromInline
struct MessageElements {
    @usableFromInline let elements: [WAMPValue]
    @usableFromInline let type: WAMPMessageType

    @inlinable
    init(_ elements: [WAMPValue], type: WAMPMessageType) {
        self.elements = elements
        self.type = type
    }

    /// Checks that the message has between `min` and `max` elements (type code included).
    @inlinable
    func requireCount(_ min: Int, _ max: Int) throws(WAMPProtocolError) {
        guard elements.count >= min, elements.count <= max else {
            let expected = min == max ? "\(min)" : "\(min) to \(max)"
            throw WAMPProtocolError(
                .wrongElementCount, messageType: type,
                "expected \(expected) elements, got \(elements.count)")
        }
    }

    @usableFromInline
    func wrongType(_ index: Int, _ field: String, expected: String) -> WAMPProtocolError {
        WAMPProtocolError(
            .wrongElementType, messageType: type, field: field,
            "element \(index) must be \(expected), got \(elements[index].kindName) \(elements[index])")
    }

    @inlinable
    func id(_ index: Int, _ field: String) throws(WAMPProtocolError) -> WAMPID {
        let value: UInt64
        switch elements[index] {
        case .integer(let v):
            guard v >= 0 else {
                throw WAMPProtocolError(.idOutOfRange, messageType: type, field: field, "\(v) is outside 1 ... 2^53")
            }
            value = UInt64(v)
        case .unsignedInteger(let v):
            value = v
        default:
            throw wrongType(index, field, expected: "an integer ID")
        }
        guard WAMPID.wampRange.contains(value) else {
            throw WAMPProtocolError(.idOutOfRange, messageType: type, field: field, "\(value) is outside 1 ... 2^53")
        }
        return value
    }

    @inlinable
    func dict(_ index: Int, _ field: String) throws(WAMPProtocolError) -> [String: WAMPValue] {
        guard case .dict(let d) = elements[index] else { throw wrongType(index, field, expected: "a dict") }
        return d
    }

    @inlinable
    func string(_ index: Int, _ field: String) throws(WAMPProtocolError) -> String {
        guard case .string(let s) = elements[index] else { throw wrongType(index, field, expected: "a string") }
        return s
    }

    /// A URI: a string, not empty, without whitespace or `#` (the loose rule of the spec,
    /// which allows empty components for pattern-based subscriptions and registrations).
    @inlinable
    func uri(_ index: Int, _ field: String) throws(WAMPProtocolError) -> String {
        guard case .string(let s) = elements[index] else { throw wrongType(index, field, expected: "a URI string") }
        guard WAMPURI.isLooselyValid(s) else {
            throw WAMPProtocolError(.invalidURI, messageType: type, field: field, "\"\(s)\" is not a valid URI")
        }
        return s
    }

    /// The optional trailing `[Args, [Kw]]` starting at `index`, or one binary value (passthru).
    @inlinable
    func payload(from index: Int) throws(WAMPProtocolError) -> WAMPPayload {
        let count = elements.count
        if count <= index { return .empty }
        if count == index + 1, case .binary(let bytes) = elements[index] { return .transparent(bytes) }
        guard case .list(let args) = elements[index] else {
            throw wrongType(index, "Arguments", expected: "a list (or one binary payload)")
        }
        if count == index + 1 { return .arguments(args, [:]) }
        guard case .dict(let kwargs) = elements[index + 1] else {
            throw wrongType(index + 1, "ArgumentsKw", expected: "a dict")
        }
        return .arguments(args, kwargs)
    }
}
