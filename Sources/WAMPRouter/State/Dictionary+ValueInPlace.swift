extension Dictionary {
    /// Runs `body` on the value for `key` where the dictionary stores it; `nil` when there is no
    /// value for `key`.
    ///
    /// The routing state reads and changes its sessions and realms through this on its hot
    /// paths. `self[key]?.field` and `values[index].field` copy the whole value out first, and
    /// for the routing state's structs (a session's identity strings and collections, a realm's
    /// broker and dealer) a copy is a retain and a release of every reference they hold;
    /// `self[key]?.field = value` takes the value out of the dictionary (a copy, in frames the
    /// accessors allocate) and writes it back. An `inout` access through the values view's
    /// modify accessor lends the stored value instead.
    @inline(__always)
    @discardableResult
    mutating func withValueInPlace<Result>(_ key: Key, _ body: (inout Value) throws -> Result) rethrows -> Result? {
        guard let index = index(forKey: key) else { return nil }
        return try withValueInPlace(at: index, body)
    }

    /// ``withValueInPlace(_:_:)`` for the value at `index`, which a caller that uses one value
    /// several times looks up once.
    @inline(__always)
    mutating func withValueInPlace<Result>(at index: Index, _ body: (inout Value) throws -> Result) rethrows -> Result {
        try body(&values[index])
    }
}
