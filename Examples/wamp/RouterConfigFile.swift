import ArgumentParser
import Foundation
import WAMPRouter

/// The JSON file `wamp router --config FILE` reads: listeners, realms (with their roles and
/// users) and limits. Keys not listed here are ignored. Examples:
/// `Examples/router-config/router.json`, `Examples/router-config/router-auth.json`.
///
/// ```json
/// {
///   "listeners": [
///     { "url": "rs://127.0.0.1:8080", "universal": true },
///     { "url": "rs+unix:///tmp/wamp-router.sock" }
///   ],
///   "realms": [ {
///     "name": "realm1", "allowsAnonymous": false,
///     "roles": [ { "name": "frontend", "permissions": [
///       { "uri": "com.example.", "match": "prefix", "allow": ["call", "subscribe"] } ] } ],
///     "users": [ { "authid": "joe", "authrole": "frontend", "ticket": "secret!!!" } ]
///   } ],
///   "limits": { "outboundQueueLength": 1024, "sessionsPerRealm": 10000 }
/// }
/// ```
struct RouterConfigFile: Decodable, Sendable {
    /// One listener: a transport URL and whether to serve RawSocket and WebSocket on its port.
    struct Listener: Decodable, Sendable {
        /// `rs://`, `rss://`, `rs+unix://`, `ws://` or `wss://`.
        var url: String
        /// RawSocket and WebSocket on the URL's TCP port (WebSocket at the ws:// URL's path,
        /// `/ws` for an rs:// URL). Default: `false`.
        var universal: Bool?
    }

    /// One realm: who may join it, and what each role may do.
    struct Realm: Decodable, Sendable {
        /// The realm's URI.
        var name: String
        /// Whether sessions may join without credentials. Default: `true`.
        var allowsAnonymous: Bool?
        /// The `authrole` of anonymous sessions. Default: `anonymous`.
        var anonymousAuthRole: String?
        /// The roles and their permissions. Default: none (everything is allowed).
        var roles: [Role]?
        /// The users who log in with credentials. Default: none.
        var users: [User]?

        /// The router's realm.
        ///
        /// - Throws: `ValidationError` naming the realm and what is wrong.
        func realm() throws -> WAMPRouter.Realm {
            var realm = WAMPRouter.Realm(name)
            if let allowsAnonymous { realm.allowsAnonymous = allowsAnonymous }
            if let anonymousAuthRole { realm.anonymousAuthRole = anonymousAuthRole }
            realm.roles = try (roles ?? []).enumerated().map { try $1.role(at: "realms[\(name)].roles[\($0)]") }
            realm.users = try (users ?? []).map { try $0.user(in: name) }
            var seen: Set<String> = []
            for user in realm.users where !seen.insert(user.authid).inserted {
                throw ValidationError("realm \(name): user \"\(user.authid)\" is listed twice")
            }
            let roleNames = Set(realm.roles.map(\.name))
            if !roleNames.isEmpty {
                for user in realm.users where !roleNames.contains(user.authrole) {
                    throw ValidationError(
                        "realm \(name): user \"\(user.authid)\" has authrole \"\(user.authrole)\", which is not among its roles \(roleNames.sorted())")
                }
            }
            return realm
        }
    }

    /// A role: ``WAMPRole``.
    struct Role: Decodable, Sendable {
        var name: String
        var permissions: [Permission]?

        func role(at path: String) throws -> WAMPRole {
            WAMPRole(name, permissions: try (permissions ?? []).enumerated().map {
                try $1.permission(at: "\(path).permissions[\($0)]")
            })
        }
    }

    /// A permission: ``WAMPPermission``. `match`: `exact` (default), `prefix` or `wildcard`;
    /// `allow`: some of `call`, `register`, `publish`, `subscribe`.
    struct Permission: Decodable, Sendable {
        var uri: String
        var match: String?
        var allow: [String]

        func permission(at path: String) throws -> WAMPPermission {
            guard let match = WAMPPermission.Match(rawValue: match ?? "exact") else {
                throw ValidationError("\(path).match is \"\(match ?? "")\": expected exact, prefix or wildcard")
            }
            let actions = try allow.map { name in
                guard let action = WAMPAuthorizationRequest.Action(rawValue: name) else {
                    throw ValidationError("\(path).allow has \"\(name)\": expected call, register, publish or subscribe")
                }
                return action
            }
            return WAMPPermission(uri: uri, match: match, allow: Set(actions))
        }
    }

    /// A user: ``WAMPUser``, with at least one of `ticket`, `wampcra`, `cryptosignKeys`.
    struct User: Decodable, Sendable {
        /// A WAMP-CRA secret; `iterations` (default 1000) and `keyLength` (default 32) apply
        /// with a `salt`.
        struct CRASecret: Decodable, Sendable {
            var secret: String
            var salt: String?
            var iterations: Int?
            var keyLength: Int?
        }

        var authid: String
        var authrole: String
        var ticket: String?
        var wampcra: CRASecret?
        /// Ed25519 public keys, 64 hex digits each.
        var cryptosignKeys: [String]?

        func user(in realm: String) throws -> WAMPUser {
            let what = "realm \(realm), user \"\(authid)\""
            var secret: WAMPUser.CRASecret?
            if let wampcra {
                secret = WAMPUser.CRASecret(secret: wampcra.secret, salt: wampcra.salt)
                if let iterations = wampcra.iterations {
                    guard (1 ... 10_000_000).contains(iterations) else {
                        throw ValidationError("\(what): wampcra.iterations is \(iterations), expected 1 to 10000000")
                    }
                    secret?.iterations = iterations
                }
                if let keyLength = wampcra.keyLength {
                    guard (1 ... 1024).contains(keyLength) else {
                        throw ValidationError("\(what): wampcra.keyLength is \(keyLength), expected 1 to 1024")
                    }
                    secret?.keyLength = keyLength
                }
            }
            for key in cryptosignKeys ?? [] {
                guard key.utf8.count == 64, key.allSatisfy(\.isHexDigit) else {
                    throw ValidationError("\(what): cryptosignKeys has \"\(key.prefix(80))\", expected 64 hex digits (an Ed25519 public key)")
                }
            }
            let user = WAMPUser(
                authid: authid, authrole: authrole, ticket: ticket, wampcra: secret, cryptosignKeys: Set(cryptosignKeys ?? []))
            guard !user.authMethods.isEmpty else {
                throw ValidationError("\(what) has no credentials: give ticket, wampcra or cryptosignKeys")
            }
            return user
        }
    }

    /// ``WAMPRouter/Limits``, each one optional (default: the router's).
    struct Limits: Decodable, Sendable {
        var outboundQueueLength: Int?
        var outboundQueueOctets: Int?
        var sessionsPerRealm: Int?
        var subscriptionsPerSession: Int?
        var registrationsPerSession: Int?
        var pendingCallsPerSession: Int?

        /// The router's limits, the ones not given at their defaults.
        ///
        /// - Throws: `ValidationError` naming a limit below 1.
        func limits() throws -> WAMPRouter.Limits {
            var limits = WAMPRouter.Limits()
            func set(_ value: Int?, _ key: String, _ field: WritableKeyPath<WAMPRouter.Limits, Int>) throws {
                guard let value else { return }
                guard value >= 1 else { throw ValidationError("limits.\(key) is \(value), expected at least 1") }
                limits[keyPath: field] = value
            }
            try set(outboundQueueLength, "outboundQueueLength", \.outboundQueueLength)
            try set(outboundQueueOctets, "outboundQueueOctets", \.outboundQueueOctets)
            try set(sessionsPerRealm, "sessionsPerRealm", \.sessionsPerRealm)
            try set(subscriptionsPerSession, "subscriptionsPerSession", \.subscriptionsPerSession)
            try set(registrationsPerSession, "registrationsPerSession", \.registrationsPerSession)
            try set(pendingCallsPerSession, "pendingCallsPerSession", \.pendingCallsPerSession)
            return limits
        }
    }

    /// Where to listen. Default: none (the command line's or the command's default).
    var listeners: [Listener]?
    /// The realms. Default: none (the command line's or `realm1`).
    var realms: [Realm]?
    /// The limits. Default: the router's.
    var limits: Limits?

    /// Reads and decodes `path`.
    ///
    /// - Throws: `ValidationError` naming the file and what is wrong in it.
    static func read(_ path: String) throws -> RouterConfigFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(RouterConfigFile.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError("invalid config file \(path): \(Self.describe(error))")
        } catch {
            throw ValidationError("invalid config file \(path): \(error)")
        }
    }

    /// "at listeners[0].url: expected a string" and the like.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .typeMismatch(let type, let context): return "at \(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "at \(path(context.codingPath)): missing \(type)"
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\" at \(path(context.codingPath))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}
