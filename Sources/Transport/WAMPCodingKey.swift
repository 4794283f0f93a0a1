/// The coding key of ``WAMPValueEncoder`` and ``WAMPValueDecoder`` for list indices,
/// `super` and dictionary keys in coding paths and errors.
struct WAMPCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    /// The key of the list element at `index`.
    init(index: Int) { self.init(intValue: index) }

    /// The key under which `superEncoder()` and `superDecoder()` store the superclass.
    static let `super` = WAMPCodingKey(stringValue: "super")
}
