extension WAMPValue: ExpressibleByNilLiteral {
    /// Makes ``null`` from `nil`.
    public init(nilLiteral: ()) { self = .null }
}

extension WAMPValue: ExpressibleByBooleanLiteral {
    /// Makes ``bool(_:)`` from `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension WAMPValue: ExpressibleByIntegerLiteral {
    /// Makes ``integer(_:)`` from an integer literal.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension WAMPValue: ExpressibleByFloatLiteral {
    /// Makes ``double(_:)`` from a floating-point literal.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension WAMPValue: ExpressibleByStringLiteral {
    /// Makes ``string(_:)`` from a string literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension WAMPValue: ExpressibleByArrayLiteral {
    /// Makes ``list(_:)`` from an array literal.
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
