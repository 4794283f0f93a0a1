/// The deadlines of a session's timers (join, leave, call timeouts), by key: a plain value the
/// session's timer loop reads. Starting a timer that is due before the loop's planned wake-up
/// fires ``wakeUp`` so that the loop plans again.
struct WAMPSessionTimers {
    typealias Key = WAMPSessionStateMachine.TimerKey

    private var deadlines: [Key: ContinuousClock.Instant] = [:]
    /// When the loop sleeps until (`nil`: until woken).
    var planned: ContinuousClock.Instant?
    /// Wakes the sleeping loop.
    var wakeUp: OneShotSignal?

    /// The earliest deadline.
    var earliest: ContinuousClock.Instant? { deadlines.values.min() }

    /// Starts (or restarts) the timer `key`, due at `deadline`.
    mutating func start(_ key: Key, at deadline: ContinuousClock.Instant) {
        deadlines[key] = deadline
        if planned.map({ deadline < $0 }) ?? true { wakeUp?.fire() }
    }

    /// Stops the timer `key`.
    mutating func cancel(_ key: Key) {
        deadlines[key] = nil
    }

    /// Removes and returns the timers due at `now`, earliest first.
    mutating func removeDue(at now: ContinuousClock.Instant) -> [Key] {
        let due = deadlines.filter { $0.value <= now }.sorted { $0.value < $1.value }.map(\.key)
        for key in due { deadlines[key] = nil }
        return due
    }
}
