import Synchronization

/// What a long run is doing, for a ``ProgressReporter``: a count the run's tasks add to and
/// the name of the phase it is in.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    private let phaseName = Mutex("")

    /// Adds `amount`.
    func add(_ amount: Int = 1) {
        value.add(amount, ordering: .relaxed)
    }

    /// The count now.
    var count: Int { value.load(ordering: .relaxed) }

    /// The phase now, e.g. `round 1: exchanging`.
    var phase: String {
        get { phaseName.withLock { $0 } }
        set { phaseName.withLock { $0 = newValue } }
    }
}
