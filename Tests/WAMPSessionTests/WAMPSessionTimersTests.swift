import Testing
import Transport
@testable import WAMPSession

@Suite("Session timers")
struct WAMPSessionTimersTests {
    @Test("a timer due before the planned wake-up wakes the timer loop; a later one does not")
    func wakeUp() {
        let now = ContinuousClock.now
        var timers = WAMPSessionTimers()
        let first = OneShotSignal()
        timers.planned = now + .seconds(10)
        timers.wakeUp = first
        timers.start(.leave, at: now + .seconds(20))
        #expect(!first.hasFired)  // after the planned wake-up: the loop sleeps on
        #expect(timers.earliest == now + .seconds(20))
        timers.start(.join(generation: 1), at: now + .seconds(5))
        #expect(first.hasFired)  // before it: the loop plans again
        #expect(timers.earliest == now + .seconds(5))
    }

    @Test("due timers are removed and returned earliest first; cancelled ones never are")
    func removeDue() {
        let now = ContinuousClock.now
        var timers = WAMPSessionTimers()
        timers.start(.leave, at: now + .seconds(2))
        timers.start(.join(generation: 1), at: now + .seconds(1))
        timers.start(.join(generation: 2), at: now + .seconds(3))
        timers.cancel(.join(generation: 2))
        #expect(timers.removeDue(at: now + .seconds(5)) == [.join(generation: 1), .leave])
        #expect(timers.earliest == nil)
    }
}
