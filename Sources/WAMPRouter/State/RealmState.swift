import Transport

/// One realm as the routing state knows it: its sessions, broker and dealer.
struct RealmState: Sendable {
    let realm: WAMPRouter.Realm
    var sessions: Set<WAMPID> = []
    var broker = Broker()
    var dealer = Dealer()
}
