import Testing
import Transport
@testable import WAMPSession

@Suite("Pending requests by ID")
struct PendingRequestTableTests {
    @Test("a reply matches the pending request of the same ID and request type")
    func replyMatches() {
        var table = PendingRequestTable<String>()
        table.insert("call 1", id: 1, type: .call)
        table.insert("subscribe 2", id: 2, type: .subscribe)
        guard case .pending("call 1") = table.match(1, replyTo: .call, final: true, what: "RESULT") else {
            Issue.record("RESULT 1 should match CALL 1")
            return
        }
        guard case .pending("subscribe 2") = table.match(2, replyTo: .subscribe, final: true, what: "SUBSCRIBED") else {
            Issue.record("SUBSCRIBED 2 should match SUBSCRIBE 2")
            return
        }
    }

    @Test("a reply for an unknown ID, or of the wrong request type, is unexpected and names both")
    func unexpectedReplies() {
        var table = PendingRequestTable<String>()
        table.insert("subscribe 2", id: 2, type: .subscribe)
        guard case .unexpected(let unknown) = table.match(9, replyTo: .call, final: true, what: "RESULT") else {
            Issue.record("RESULT 9 should be unexpected")
            return
        }
        #expect(unknown.contains("RESULT for request 9"))
        guard case .unexpected(let wrongType) = table.match(2, replyTo: .register, final: true, what: "REGISTERED") else {
            Issue.record("REGISTERED 2 should be unexpected")
            return
        }
        #expect(wrongType.contains("SUBSCRIBE") && wrongType.contains("REGISTER"))
        #expect(table.count == 1)
    }

    @Test("an abandoned call's progressive replies are late until the final one; then a reply is unexpected")
    func abandonedCall() {
        var table = PendingRequestTable<String>()
        table.insert("call 5", id: 5, type: .call)
        #expect(table.abandonCall(5) == "call 5")
        #expect(table.count == 0)
        guard case .late = table.match(5, replyTo: .call, final: false, what: "RESULT") else {
            Issue.record("a progressive RESULT of an abandoned call should be late")
            return
        }
        guard case .late = table.match(5, replyTo: .call, final: true, what: "ERROR") else {
            Issue.record("the final ERROR of an abandoned call should be late")
            return
        }
        guard case .unexpected = table.match(5, replyTo: .call, final: true, what: "RESULT") else {
            Issue.record("a second final reply should be unexpected")
            return
        }
    }

    @Test("only calls can be abandoned")
    func onlyCallsAbandon() {
        var table = PendingRequestTable<String>()
        table.insert("subscribe 3", id: 3, type: .subscribe)
        #expect(table.abandonCall(3) == nil)
        #expect(table.count == 1)
        #expect(table.abandonedCount == 0)
    }

    /// A table (limit 8) in which calls 1 to 100 were made and given up, in that order.
    func hundredAbandonedCalls() -> PendingRequestTable<Int> {
        var table = PendingRequestTable<Int>(abandonedLimit: 8)
        for id in WAMPID(1) ... 100 {
            table.insert(Int(id), id: id, type: .call)
            _ = table.abandonCall(id)
        }
        return table
    }

    @Test("the set of abandoned calls stays within its limit")
    func abandonedLimit() {
        #expect(hundredAbandonedCalls().abandonedCount == 8)
    }

    @Test("a full set of abandoned calls forgets the oldest first: the newest ones' late replies stay ignored")
    func abandonedLimitEvictsOldest() {
        var table = hundredAbandonedCalls()
        for id in WAMPID(1) ... 92 {
            guard case .unexpected = table.match(id, replyTo: .call, final: true, what: "RESULT") else {
                Issue.record("call \(id) is among the 92 oldest abandoned calls and should be forgotten")
                continue
            }
        }
        for id in WAMPID(93) ... 100 {
            guard case .late = table.match(id, replyTo: .call, final: true, what: "RESULT") else {
                Issue.record("call \(id) is among the 8 newest abandoned calls; its reply should be late")
                continue
            }
        }
    }

    @Test("removeAll returns every entry and forgets abandoned calls")
    func removeAll() {
        var table = PendingRequestTable<String>()
        table.insert("a", id: 1, type: .call)
        table.insert("b", id: 2, type: .publish)
        table.insert("c", id: 3, type: .call)
        _ = table.abandonCall(3)
        #expect(Set(table.removeAll()) == ["a", "b"])
        #expect(table.count == 0)
        #expect(table.abandonedCount == 0)
    }
}
