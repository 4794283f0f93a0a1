import Transport
import WAMPCrypto

/// One realm as the routing state knows it: its sessions, broker and dealer.
struct RealmState: Sendable {
    let realm: WAMPRouter.Realm
    /// The realm's roles by name; empty when the realm has none (everything is allowed).
    let roles: [String: WAMPRole]
    /// The WAMP-CRA keys of the realm's salted users, derived once (PBKDF2 is slow on
    /// purpose; a HELLO must not make the router run it).
    let derivedKeys: [WAMPUser.CRASecret: [UInt8]]
    var sessions: Set<WAMPID> = []
    var broker = Broker()
    var dealer = Dealer()

    init(realm: WAMPRouter.Realm) {
        self.realm = realm
        // The last of two roles of one name wins, as in a dictionary literal read in order.
        roles = Dictionary(realm.roles.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var keys: [WAMPUser.CRASecret: [UInt8]] = [:]
        for user in realm.users {
            guard let secret = user.wampcra, let salt = secret.salt, keys[secret] == nil else { continue }
            keys[secret] = WAMPCRA.deriveKey(
                secret: secret.secret, salt: salt, iterations: secret.iterations, keyLength: secret.keyLength)
        }
        derivedKeys = keys
    }
}
