import Synchronization

/// A count that the tasks of a long run add to and a ``ProgressReporter`` reads.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds `amount`.
    func add(_ amount: Int = 1) {
        value.add(amount, ordering: .relaxed)
    }

    /// The count now.
    var count: Int { value.load(ordering: .relaxed) }
}
