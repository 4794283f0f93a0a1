import Testing
import Transport
@testable import WAMPRouter

@Suite("Shared registrations and publication filters")
struct PolicyTests {
    @Test("roundrobin takes the callees in turn, first and last stay put, random stays in range")
    func invocationPolicies() {
        var random = SystemRandomNumberGenerator()
        var cursor = 0
        let picks = (0 ..< 7).map { _ in InvocationPolicy.roundrobin.pick(among: 3, cursor: &cursor, using: &random) }
        #expect(picks == [0, 1, 2, 0, 1, 2, 0])
        #expect(InvocationPolicy.first.pick(among: 3, cursor: &cursor, using: &random) == 0)
        #expect(InvocationPolicy.single.pick(among: 1, cursor: &cursor, using: &random) == 0)
        #expect(InvocationPolicy.last.pick(among: 3, cursor: &cursor, using: &random) == 2)
        for _ in 0 ..< 50 {
            #expect((0 ..< 3).contains(InvocationPolicy.random.pick(among: 3, cursor: &cursor, using: &random)))
        }
    }

    @Test("the invoke and match options are read, and unknown values refused with the option named")
    func optionParsing() throws {
        let good = OptionReader(options: ["invoke": "roundrobin", "match": "prefix"], messageType: .register)
        #expect(try InvocationPolicy(good) == .roundrobin)
        #expect(try URIMatchPolicy(good) == .prefix)
        let none = OptionReader(options: [:], messageType: .register)
        #expect(try InvocationPolicy(none) == .single)
        #expect(try URIMatchPolicy(none) == .exact)
        let bad = OptionReader(options: ["invoke": "sometimes", "match": 3], messageType: .register)
        #expect(throws: InvalidOption.self) { try InvocationPolicy(bad) }
        do {
            _ = try URIMatchPolicy(bad)
            Issue.record("match 3 was accepted")
        } catch {
            #expect(error.message == #"REGISTER.Options.match must be a string, got integer 3"#)
        }
    }

    @Test("a single registration refuses a second callee, a shared one refuses another policy")
    func sharedRegistrationConflicts() throws {
        var dealer = Dealer()
        let single = try dealer.register(.init(session: 1, discloseCaller: false), for: "p", .exact, invoke: .single, created: .epoch)
        #expect(throws: Dealer.RegisterError.alreadyExists) {
            try dealer.register(.init(session: 2, discloseCaller: false), for: "p", .exact, invoke: .single, created: .epoch)
        }
        let shared = try dealer.register(.init(session: 1, discloseCaller: false), for: "q", .exact, invoke: .roundrobin, created: .epoch)
        let joined = try dealer.register(.init(session: 2, discloseCaller: false), for: "q", .exact, invoke: .roundrobin, created: .epoch)
        #expect(joined == shared)
        #expect(throws: Dealer.RegisterError.alreadyExists) {
            try dealer.register(.init(session: 2, discloseCaller: false), for: "q", .exact, invoke: .roundrobin, created: .epoch)
        }
        #expect(throws: Dealer.RegisterError.differentPolicy(.roundrobin)) {
            try dealer.register(.init(session: 3, discloseCaller: false), for: "q", .exact, invoke: .random, created: .epoch)
        }
        // The same URI under another match policy is another registration.
        let prefix = try dealer.register(.init(session: 2, discloseCaller: false), for: "p", .prefix, invoke: .single, created: .epoch)
        #expect(prefix != single)
    }

    @Test("roundrobin keeps its turn when a callee before it unregisters")
    func roundRobinAfterUnregister() throws {
        var dealer = Dealer()
        var random = SystemRandomNumberGenerator()
        var id: WAMPID = 0
        for session in WAMPID(1) ... 3 {
            id = try dealer.register(.init(session: session, discloseCaller: false), for: "p", .exact, invoke: .roundrobin, created: .epoch)
        }
        func next() -> WAMPID? { dealer.route("p", using: &random)?.callee.session }
        #expect(next() == 1)
        #expect(next() == 2)
        let removed = dealer.unregister(1, from: id)
        #expect(removed)
        #expect(next() == 3)
        #expect(next() == 2)
        let again = dealer.unregister(1, from: id)
        #expect(!again)
        let rest = dealer.unregister(2, from: id) && dealer.unregister(3, from: id)
        #expect(rest)
        #expect(next() == nil)
        #expect(dealer.registrations.isEmpty)
    }

    @Test("eligible and exclude combine as in the spec's example")
    func eligibleAndExclude() throws {
        let options = OptionReader(
            options: ["eligible": [7_891_255, 1_245_751, 9_912_315], "exclude": [7_891_255]], messageType: .publish)
        let filter = try PublicationFilter(options, publisher: 42)
        #expect(!filter.admits(7_891_255, authid: "a", authrole: "r"))
        #expect(filter.admits(1_245_751, authid: "a", authrole: "r"))
        #expect(filter.admits(9_912_315, authid: "a", authrole: "r"))
        #expect(!filter.admits(5, authid: "a", authrole: "r"))
        #expect(!filter.admits(42, authid: "a", authrole: "r"))
    }

    @Test("authid and authrole lists filter, and exclude_me false admits the publisher")
    func authFilters() throws {
        let options = OptionReader(
            options: ["eligible_authrole": ["staff", "manager"], "exclude_authid": ["bob"], "exclude_me": false],
            messageType: .publish)
        let filter = try PublicationFilter(options, publisher: 42)
        #expect(filter.admits(42, authid: "alice", authrole: "staff"))
        #expect(!filter.admits(1, authid: "bob", authrole: "staff"))
        #expect(!filter.admits(1, authid: "carol", authrole: "guest"))
        let onlyIDs = try PublicationFilter(
            OptionReader(options: ["eligible_authid": ["carol"], "exclude_authrole": ["guest"]], messageType: .publish),
            publisher: 42)
        #expect(onlyIDs.admits(1, authid: "carol", authrole: "staff"))
        #expect(!onlyIDs.admits(1, authid: "carol", authrole: "guest"))
        #expect(!onlyIDs.admits(1, authid: "dave", authrole: "staff"))
    }

    @Test("filter options of the wrong type are refused with the option and value named")
    func badFilterOptions() {
        do {
            _ = try PublicationFilter(OptionReader(options: ["exclude": ["x"]], messageType: .publish), publisher: 1)
            Issue.record("accepted")
        } catch {
            #expect(error.message == #"PUBLISH.Options.exclude must be a list of integer session IDs, got list ["x"]"#)
        }
    }
}
