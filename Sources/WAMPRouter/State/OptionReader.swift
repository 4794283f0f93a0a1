import Transport

/// Reads typed options from a request's `Options` dict, throwing ``InvalidOption`` that names
/// the option and the offending value.
struct OptionReader {
    let options: [String: WAMPValue]
    /// The message type for error texts: `PUBLISH`, `CALL` ...
    let messageType: WAMPMessageType

    private func invalid(_ key: String, _ expected: String, _ value: WAMPValue) -> InvalidOption {
        InvalidOption(message: "\(messageType.name).Options.\(key) must be \(expected), got \(value.kindName) \(value)")
    }

    /// A boolean option, or `defaultValue` when absent.
    func bool(_ key: String, default defaultValue: Bool = false) throws(InvalidOption) -> Bool {
        guard let value = options[key] else { return defaultValue }
        guard let bool = value.boolValue else { throw invalid(key, "a bool", value) }
        return bool
    }

    /// A string option, `nil` when absent.
    func string(_ key: String) throws(InvalidOption) -> String? {
        guard let value = options[key] else { return nil }
        guard let string = value.stringValue else { throw invalid(key, "a string", value) }
        return string
    }

    /// One of the strings in `allowed`, `nil` when absent.
    func oneOf(_ key: String, _ allowed: [String]) throws(InvalidOption) -> String? {
        guard let string = try string(key) else { return nil }
        guard allowed.contains(string) else {
            throw invalid(key, "one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", "), .string(string))
        }
        return string
    }

    /// The case of `T` named by the option, `defaultValue` when absent.
    func choice<T: RawRepresentable<String> & CaseIterable>(_ key: String, default defaultValue: T) throws(InvalidOption) -> T {
        try oneOf(key, T.allCases.map(\.rawValue)).flatMap(T.init(rawValue:)) ?? defaultValue
    }

    /// A non-negative integer option, `nil` when absent.
    func count(_ key: String) throws(InvalidOption) -> UInt64? {
        guard let value = options[key] else { return nil }
        guard let number = value.uint64Value else { throw invalid(key, "a non-negative integer", value) }
        return number
    }

    /// A list of WAMP IDs, `nil` when absent.
    func ids(_ key: String) throws(InvalidOption) -> Set<WAMPID>? {
        try list(key, "a list of integer session IDs", \.uint64Value)
    }

    /// A list of strings, `nil` when absent.
    func strings(_ key: String) throws(InvalidOption) -> Set<String>? {
        try list(key, "a list of strings", \.stringValue)
    }

    /// A list whose every element `element` converts, `nil` when absent.
    private func list<T: Hashable>(
        _ key: String, _ expected: String, _ element: (WAMPValue) -> T?
    ) throws(InvalidOption) -> Set<T>? {
        guard let value = options[key] else { return nil }
        guard let list = value.listValue else { throw invalid(key, expected, value) }
        var result = Set<T>()
        for item in list {
            guard let converted = element(item) else { throw invalid(key, expected, value) }
            result.insert(converted)
        }
        return result
    }
}
