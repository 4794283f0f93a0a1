extension Dictionary {
    /// Runs `body` on the value for `key` where the dictionary stores it; `nil` when there is no
    /// value for `key`.
    ///
    /// The routing state reads through this on its hot paths, although it rarely changes the
    /// value: `self[key]?.field` and `values[index].field` copy the whole value out first, and
    /// for the routing state's structs (a session's identity strings and collections, a realm's
    /// broker and dealer) a copy is a retain and a release of every reference they hold. An
    /// `inout` access takes the dictionary's modify accessor, which lends the stored value.
    /// Changes go the same way: `self[key]?.field = value` takes the value out of the
    /// dictionary (a copy, in a frame the accessor allocates) and writes it back.
    @inline(__always)
    @discardableResult
    mutating func withValueInPlace<Result>(_ key: Key, _ body: (inout Value) throws -> Result) rethrows -> Result? {
        guard let index = index(forKey: key) else { return nil }
        return try body(&values[index])
    }
}
