import Testing
import TimeGuards
import Transport
import WAMPRouter
import WAMPTesting

@Suite("Publish and subscribe over an in-memory transport", .scaledTimeLimit(minutes: 1))
struct PubSubFlowTests {
    @Test("an EVENT carries the publication's args and kwargs, and PUBLISHED its publication ID")
    func publishToSubscriber() async throws {
        try await RouterHarness.run { harness in
            let subscriber = try await harness.join()
            let publisher = try await harness.join()
            let subscription = try await subscriber.subscribe("com.example.topic")
            let publication = try await publisher.publishAcknowledged(
                "com.example.topic", payload: .arguments(["hello", 2], ["k": true]))
            let event = try await subscriber.receiveEvent()
            #expect(event.subscription == subscription && event.publication == publication)
            #expect(event.args == ["hello", 2] && event.kwargs == ["k": true])
            #expect(event.details.isEmpty)
        }
    }

    @Test("the publisher is excluded by default and included with exclude_me false")
    func excludeMe() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            let subscription = try await peer.subscribe("com.example.topic")
            _ = try await peer.publishAcknowledged("com.example.topic", payload: .arguments([1], [:]))
            try await peer.send(.publish(.init(
                request: 99, options: ["acknowledge": true, "exclude_me": false], topic: "com.example.topic",
                payload: .arguments([2], [:]))))
            // Only the second publication comes back, before its PUBLISHED.
            let event = try await peer.receiveEvent()
            #expect(event.subscription == subscription && event.args == [2])
            let published = try await peer.receive()
            #expect(published == .published(.init(request: 99, publication: event.publication)))
        }
    }

    @Test("disclose_me gives the publisher's session, authid and authrole")
    func publisherDisclosure() async throws {
        try await RouterHarness.run { harness in
            let subscriber = try await harness.join()
            let publisher = try await harness.join()
            _ = try await subscriber.subscribe("com.example.topic")
            _ = try await publisher.publishAcknowledged("com.example.topic", ["disclose_me": true])
            let event = try await subscriber.receiveEvent()
            #expect(event.details == [
                "publisher": .integer(exactly: publisher.session),
                "publisher_authid": .string(String(publisher.session)), "publisher_authrole": "anonymous",
            ])
        }
    }

    @Test("exclude, eligible and their authid and authrole forms choose the receivers")
    func blackAndWhiteListing() async throws {
        try await RouterHarness.run { harness in
            let publisher = try await harness.join()
            let a = try await harness.join()
            let b = try await harness.join()
            for peer in [a, b] { _ = try await peer.subscribe("com.example.topic") }
            let cases: [(options: [String: WAMPValue], receivers: [TestPeer])] = [
                (["exclude": [.integer(exactly: a.session)]], [b]),
                (["eligible": [.integer(exactly: a.session)]], [a]),
                (["exclude_authid": [.string(String(b.session))]], [a]),
                (["eligible_authid": [.string(String(b.session))]], [b]),
                (["eligible_authrole": ["anonymous"], "exclude": [.integer(exactly: b.session)]], [a]),
                (["exclude_authrole": ["anonymous"]], []),
            ]
            for (number, test) in cases.enumerated() {
                _ = try await publisher.publishAcknowledged("com.example.topic", test.options, payload: .arguments([.integer(Int64(number))], [:]))
            }
            // A last publication to both marks the end of what each receives.
            _ = try await publisher.publishAcknowledged("com.example.topic", payload: .arguments(["end"], [:]))
            for peer in [a, b] {
                var received: [WAMPValue] = []
                while true {
                    let event = try await peer.receiveEvent()
                    if event.args == ["end"] { break }
                    received += event.args
                }
                let expected = cases.enumerated().filter { $0.element.receivers.contains { $0 === peer } }
                    .map { WAMPValue.integer(Int64($0.offset)) }
                #expect(received == expected)
            }
        }
    }

    @Test("prefix and wildcard subscriptions get the concrete topic in Details.topic, once per subscription")
    func patternSubscriptions() async throws {
        try await RouterHarness.run { harness in
            let subscriber = try await harness.join()
            let publisher = try await harness.join()
            let exact = try await subscriber.subscribe("com.example.a.update")
            let prefix = try await subscriber.subscribe("com.example", ["match": "prefix"])
            let wildcard = try await subscriber.subscribe("com..a.update", ["match": "wildcard"])
            let publication = try await publisher.publishAcknowledged("com.example.a.update")
            var seen: [WAMPID: [String: WAMPValue]] = [:]
            for _ in 0 ..< 3 {
                let event = try await subscriber.receiveEvent()
                #expect(event.publication == publication)
                seen[event.subscription] = event.details
            }
            #expect(seen == [exact: [:], prefix: ["topic": "com.example.a.update"], wildcard: ["topic": "com.example.a.update"]])
            _ = try await publisher.publishAcknowledged("com.other.a.update")
            #expect(try await subscriber.receiveEvent().subscription == wildcard)
        }
    }

    @Test("sessions subscribing to one topic share one subscription ID; it ends with its last subscriber")
    func sharedSubscription() async throws {
        try await RouterHarness.run { harness in
            let a = try await harness.join()
            let b = try await harness.join()
            let publisher = try await harness.join()
            let id = try await a.subscribe("com.example.topic")
            #expect(try await b.subscribe("com.example.topic") == id)
            #expect(try await a.subscribe("com.example.topic") == id)
            #expect(try await a.subscribe("com.example.topic", ["match": "prefix"]) != id)

            try await a.send(.unsubscribe(.init(request: 50, subscription: id)))
            #expect(try await a.receive() == .unsubscribed(.init(request: 50)))
            try await a.send(.unsubscribe(.init(request: 51, subscription: id)))
            let error = try await a.receiveError()
            #expect(error.requestType == .unsubscribe && error.request == 51 && error.error == "wamp.error.no_such_subscription")

            _ = try await publisher.publishAcknowledged("com.example.topic")
            #expect(try await b.receiveEvent().subscription == id)
        }
    }

    @Test("invalid topics and options are refused with ERROR naming what was wrong")
    func invalidRequests() async throws {
        try await RouterHarness.run { harness in
            let peer = try await harness.join()
            try await peer.send(.subscribe(.init(request: 1, topic: "com..topic")))
            #expect(try await peer.receiveError().error == "wamp.error.invalid_uri")
            try await peer.send(.subscribe(.init(request: 2, options: ["match": "fuzzy"], topic: "com.topic")))
            let badMatch = try await peer.receiveError()
            #expect(badMatch.error == "wamp.error.invalid_argument")
            #expect(badMatch.args == [#"SUBSCRIBE.Options.match must be one of "exact", "prefix", "wildcard", got string "fuzzy""#])
            try await peer.send(.publish(.init(request: 3, options: ["acknowledge": true, "eligible": "all"], topic: "com.topic")))
            #expect(try await peer.receiveError().error == "wamp.error.invalid_argument")
            // Without acknowledge, a failed PUBLISH is not answered.
            try await peer.send(.publish(.init(request: 4, topic: "com..topic")))
            try await peer.send(.publish(.init(request: 5, options: ["acknowledge": true], topic: "com..topic")))
            #expect(try await peer.receiveError().request == 5)
        }
    }
}
