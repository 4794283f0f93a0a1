import Transport

/// A set of IDs the router assigns itself (a callee's INVOCATION IDs), hashed with ``IDHash``:
/// see ``AssignedIDMap``.
struct AssignedIDSet: Sendable {
    private var storage: Set<AssignedID> = []

    /// An empty set.
    init() {}

    /// Adds `id`.
    mutating func insert(_ id: WAMPID) {
        storage.insert(.init(id: id))
    }

    /// Removes `id`.
    mutating func remove(_ id: WAMPID) {
        storage.remove(.init(id: id))
    }

    /// Whether the set holds `id`.
    func contains(_ id: WAMPID) -> Bool {
        storage.contains(.init(id: id))
    }

    /// The IDs in ascending order.
    func sorted() -> [WAMPID] {
        storage.map(\.id).sorted()
    }

    /// Whether the set holds no ID.
    var isEmpty: Bool { storage.isEmpty }
}
