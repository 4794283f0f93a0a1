import ArgumentParser
import Foundation
import WAMPRouter

/// The JSON file `wamp router --config FILE` reads: listeners, realms and limits. Keys not
/// listed here are ignored, so that later sections (roles, users for authentication) can be
/// added without breaking older files. Example: `Examples/router-config/router.json`.
///
/// ```json
/// {
///   "listeners": [
///     { "url": "rs://127.0.0.1:8080", "universal": true },
///     { "url": "rs+unix:///tmp/wamp-router.sock" }
///   ],
///   "realms": [ { "name": "realm1", "anonymousAuthRole": "anonymous" } ],
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

    /// One realm.
    struct Realm: Decodable, Sendable {
        /// The realm's URI.
        var name: String
        /// The `authrole` of anonymous sessions. Default: `anonymous`.
        var anonymousAuthRole: String?

        /// The router's realm.
        var realm: WAMPRouter.Realm {
            var realm = WAMPRouter.Realm(name)
            if let anonymousAuthRole { realm.anonymousAuthRole = anonymousAuthRole }
            return realm
        }
    }

    /// ``WAMPRouter/Limits``, each one optional (default: the router's).
    struct Limits: Decodable, Sendable {
        var outboundQueueLength: Int?
        var sessionsPerRealm: Int?
        var subscriptionsPerSession: Int?
        var registrationsPerSession: Int?
        var pendingCallsPerSession: Int?

        /// The router's limits, the ones not given at their defaults.
        var limits: WAMPRouter.Limits {
            var limits = WAMPRouter.Limits()
            if let outboundQueueLength { limits.outboundQueueLength = outboundQueueLength }
            if let sessionsPerRealm { limits.sessionsPerRealm = sessionsPerRealm }
            if let subscriptionsPerSession { limits.subscriptionsPerSession = subscriptionsPerSession }
            if let registrationsPerSession { limits.registrationsPerSession = registrationsPerSession }
            if let pendingCallsPerSession { limits.pendingCallsPerSession = pendingCallsPerSession }
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
