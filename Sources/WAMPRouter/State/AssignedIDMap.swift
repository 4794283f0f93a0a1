import Transport

/// A dictionary keyed by IDs the router assigns itself (session IDs, INVOCATION IDs), hashed
/// with ``IDHash``. Keys a peer chooses (its request IDs) stay in ordinary dictionaries.
struct AssignedIDMap<Value> {
    private var storage: [AssignedID: Value] = [:]

    /// An empty map.
    init() {}

    /// The value for `id`, `nil` when there is none; setting `nil` removes it.
    subscript(id: WAMPID) -> Value? {
        get { storage[AssignedID(id: id)] }
        _modify { yield &storage[AssignedID(id: id)] }
    }

    /// Runs `body` on the value for `id` where the map stores it (see
    /// `Dictionary.withValueInPlace(_:_:)`); `nil` when there is none.
    @inline(__always)
    @discardableResult
    mutating func withValueInPlace<Result>(_ id: WAMPID, _ body: (inout Value) throws -> Result) rethrows -> Result? {
        try storage.withValueInPlace(AssignedID(id: id), body)
    }

    /// Removes the value for `id` and returns it.
    @discardableResult
    mutating func removeValue(forKey id: WAMPID) -> Value? {
        storage.removeValue(forKey: AssignedID(id: id))
    }

    /// Removes every value.
    mutating func removeAll() {
        storage.removeAll()
    }

    /// The values, in no particular order.
    var values: Dictionary<AssignedID, Value>.Values { storage.values }

    /// The number of values.
    var count: Int { storage.count }

    /// Whether the map holds no value.
    var isEmpty: Bool { storage.isEmpty }
}

extension AssignedIDMap: Sendable where Value: Sendable {}
