extension WAMPValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension WAMPValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension WAMPValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension WAMPValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension WAMPValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension WAMPValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: WAMPValue...) { self = .list(elements) }
}

extension WAMPValue: ExpressibleByDictionaryLiteral {
    /// Builds a ``dict(_:)``; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, WAMPValue)...) {
        var dict = [String: WAMPValue](minimumCapacity: elements.count)
        for (key, value) in elements { dict[key] = value }
        self = .dict(dict)
    }
}
