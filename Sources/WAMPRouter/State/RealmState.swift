import Transport

/// One realm as the routing state knows it: its sessions, broker and dealer.
struct RealmState: Sendable {
    let realm: WAMPRouter.Realm
    /// The realm's roles by name; empty when the realm has none (everything is allowed).
    let roles: [String: WAMPRole]
    var sessions: Set<WAMPID> = []
    var broker = Broker()
    var dealer = Dealer()

    init(realm: WAMPRouter.Realm) {
        self.realm = realm
        // The last of two roles of one name wins, as in a dictionary literal read in order.
        roles = Dictionary(realm.roles.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }
}
