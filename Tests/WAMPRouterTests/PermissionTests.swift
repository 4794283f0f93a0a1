import Testing
import Transport
@testable import WAMPRouter
import WAMPSession

/// Roles and their permissions: which URIs each pattern matches, and the routing state refusing
/// what a session's role does not allow with ERROR `wamp.error.not_authorized`.
@Suite("Roles and permissions")
struct PermissionTests {
    @Test("exact, prefix and wildcard permissions match the URIs they name, for the actions they allow",
          arguments: [
              (WAMPPermission.Match.exact, "com.example.a", "com.example.a", true),
              (.exact, "com.example.a", "com.example.a.b", false),
              (.exact, "com.example.a", "com.example", false),
              (.prefix, "com.example.", "com.example.a.b", true),
              (.prefix, "com.example.", "com.example", false),
              (.prefix, "com.example", "com.examples.x", true),
              (.wildcard, "com..update", "com.x.update", true),
              (.wildcard, "com..update", "com.x.y.update", false),
              (.wildcard, "com..update", "com.x.delete", false),
              (.wildcard, "..", "a.b.c", true),
          ])
    func permissionMatching(match: WAMPPermission.Match, pattern: String, uri: String, matches: Bool) {
        let permission = WAMPPermission(uri: pattern, match: match, allow: [.call])
        #expect(permission.allows(.call, on: uri) == matches)
        #expect(!permission.allows(.publish, on: uri))
    }

    /// The routing state's answer to `message` from joe (frontend) or peter (backend).
    static func answer(_ message: WAMPMessage, as authentication: WAMPAuthentication) throws -> [RouterAction] {
        var f = AuthenticationFixture()
        let connection = try f.joined(authentication)
        return f.core.receive(message, from: connection, now: f.start)
    }

    static func isNotAuthorized(_ actions: [RouterAction]) -> Bool {
        guard actions.count == 1, case .send(.error(let error), _) = actions[0] else { return false }
        return error.error == WAMPURI.notAuthorized
    }

    static let joe = WAMPAuthentication.ticket(authid: "joe", ticket: "secret!!!")
    static let peter = WAMPAuthentication.wampcra(authid: "peter", secret: "secret2")

    @Test("the frontend may call below com.example.api. (prefix) and nothing else; the backend may call anything below com.example.")
    func callPermission() throws {
        let allowed = try Self.answer(.call(.init(request: 1, procedure: "com.example.api.add")), as: Self.joe)
        guard case .send(.error(let error), _)? = allowed.first else { Issue.record("\(allowed)"); return }
        #expect(error.error == WAMPURI.noSuchProcedure)
        #expect(Self.isNotAuthorized(try Self.answer(.call(.init(request: 1, procedure: "com.example.admin.reset")), as: Self.joe)))
        let backend = try Self.answer(.call(.init(request: 1, procedure: "com.example.admin.reset")), as: Self.peter)
        #expect(!Self.isNotAuthorized(backend), "\(backend)")
        #expect(Self.isNotAuthorized(try Self.answer(.call(.init(request: 1, procedure: "org.other.x")), as: Self.peter)))
    }

    @Test("the frontend may not register; the backend may")
    func registerPermission() throws {
        #expect(Self.isNotAuthorized(try Self.answer(.register(.init(request: 1, procedure: "com.example.api.add")), as: Self.joe)))
        let backend = try Self.answer(.register(.init(request: 1, procedure: "com.example.api.add")), as: Self.peter)
        guard case .send(.registered, _)? = backend.first else { Issue.record("\(backend)"); return }
    }

    @Test("the frontend may subscribe to com.example..changed (wildcard) only")
    func subscribePermission() throws {
        let allowed = try Self.answer(.subscribe(.init(request: 1, topic: "com.example.user.changed")), as: Self.joe)
        guard case .send(.subscribed, _)? = allowed.first else { Issue.record("\(allowed)"); return }
        #expect(Self.isNotAuthorized(try Self.answer(.subscribe(.init(request: 1, topic: "com.example.user.deleted")), as: Self.joe)))
    }

    @Test("the frontend may publish to com.example.chat (exact) only; a refused unacknowledged PUBLISH is dropped silently")
    func publishPermission() throws {
        let allowed = try Self.answer(
            .publish(.init(request: 1, options: ["acknowledge": true], topic: "com.example.chat")), as: Self.joe)
        guard case .send(.published, _)? = allowed.first else { Issue.record("\(allowed)"); return }
        #expect(Self.isNotAuthorized(try Self.answer(
            .publish(.init(request: 1, options: ["acknowledge": true], topic: "com.example.chat.room")), as: Self.joe)))
        #expect(try Self.answer(.publish(.init(request: 1, topic: "com.example.chat.room")), as: Self.joe).isEmpty)
    }

    @Test("a role the realm does not list may do nothing; a realm without roles allows everything")
    func unlistedRole() throws {
        var realm = AuthenticationFixture.secureRealm
        realm.users.append(WAMPUser(authid: "eve", authrole: "stranger", ticket: "e"))
        var f = AuthenticationFixture(configuration: .init(realms: [realm]))
        let eve = try f.joined(.ticket(authid: "eve", ticket: "e"))
        let refused = f.core.receive(.subscribe(.init(request: 1, topic: "com.example.chat")), from: eve, now: f.start)
        #expect(Self.isNotAuthorized(refused))

        realm.roles = []
        var open = AuthenticationFixture(configuration: .init(realms: [realm]))
        let eveAgain = try open.joined(.ticket(authid: "eve", ticket: "e"))
        let answer = open.core.receive(.subscribe(.init(request: 1, topic: "com.example.chat")), from: eveAgain, now: open.start)
        guard case .send(.subscribed, _)? = answer.first else { Issue.record("\(answer)"); return }
    }
}
