import Testing
import TimeGuards
@testable import WAMPSession

@Suite("One-shot signal", .scaledTimeLimit(minutes: 1))
struct OneShotSignalTests {
    @Test("a wait returns once the signal fires, and at once afterwards")
    func fires() async {
        let signal = OneShotSignal()
        async let waited: Void = signal.wait()
        signal.fire()
        await waited
        await signal.wait()
        #expect(signal.hasFired)
    }

    @Test("cancelling the waiting task ends its wait")
    func cancelled() async {
        let signal = OneShotSignal()
        let waiting = Task { await signal.wait() }
        waiting.cancel()
        await waiting.value
    }
}
