import OrderedCollections
import Transport

/// The requests of a session that await their reply, by request ID: a pure value, no I/O, so
/// the matching rules are tested on their own.
///
/// Each entry remembers the type of its request (CALL, SUBSCRIBE, ...). A reply matches an
/// entry of the same request type; a reply for a call given up locally (task cancelled,
/// timeout) is *late* and ignored; anything else is *unexpected*, a protocol violation.
struct PendingRequestTable<Entry> {
    /// What a reply for an ID means.
    enum Match {
        /// The request waits for it.
        case pending(Entry)
        /// The call was given up locally; drop the reply.
        case late
        /// No such request: a protocol violation, described.
        case unexpected(String)
    }

    private var entries: [WAMPID: (type: WAMPMessageType, entry: Entry)] = [:]
    /// The abandoned calls, oldest first.
    private var abandoned: OrderedSet<WAMPID> = []
    /// The most abandoned calls remembered: a dealer that never answers CANCEL must not grow
    /// the set forever. When full, the oldest is forgotten (a late reply to it is then a
    /// violation); the newest, whose replies are the likeliest to come, stay.
    let abandonedLimit: Int

    init(abandonedLimit: Int = 4096) {
        self.abandonedLimit = max(1, abandonedLimit)
    }

    /// How many requests wait.
    var count: Int { entries.count }

    /// How many abandoned calls are remembered.
    var abandonedCount: Int { abandoned.count }

    /// Adds (or replaces) the request `id` of type `type`.
    mutating func insert(_ entry: Entry, id: WAMPID, type: WAMPMessageType) {
        entries[id] = (type, entry)
    }

    /// The entry of request `id`; setting changes an existing entry, `nil` removes it.
    subscript(id: WAMPID) -> Entry? {
        get { entries[id]?.entry }
        set {
            guard let type = entries[id]?.type else { return }
            if let newValue { entries[id] = (type, newValue) } else { entries[id] = nil }
        }
    }

    /// Removes and returns the entry of request `id`.
    mutating func remove(_ id: WAMPID) -> Entry? {
        entries.removeValue(forKey: id)?.entry
    }

    /// Runs `body` on the entry of request `id` in place and returns what it returns; `nil`
    /// when there is no such request. One lookup, where reading and then setting take three.
    mutating func modify<Result>(_ id: WAMPID, _ body: (inout Entry) -> Result) -> Result? {
        guard let index = entries.index(forKey: id) else { return nil }
        return body(&entries.values[index].entry)
    }

    /// Matches a reply (RESULT, SUBSCRIBED, ... or an ERROR naming `type`) with its request.
    /// A final reply to an abandoned call ends the remembering of that call.
    mutating func match(_ id: WAMPID, replyTo type: WAMPMessageType, final: Bool, what: String) -> Match {
        let found = entries.index(forKey: id).map { entries.values[$0] }  // one lookup
        if let found, found.type == type { return .pending(found.entry) }
        if type == .call, abandoned.contains(id) {
            if final { abandoned.remove(id) }
            return .late
        }
        if let found {
            return .unexpected("\(what) for request \(id), which is a pending \(found.type.name), not a \(type.name)")
        }
        return .unexpected("\(what) for request \(id), which is not a pending \(type.name)")
    }

    /// Gives the call `id` up: removes and returns its entry, and remembers the ID so that the
    /// dealer's late reply is ignored. Returns `nil` (and remembers nothing) for an ID that is
    /// not a pending call.
    mutating func abandonCall(_ id: WAMPID) -> Entry? {
        guard let pending = entries[id], pending.type == .call else { return nil }
        entries[id] = nil
        if abandoned.count >= abandonedLimit { abandoned.removeFirst() }
        abandoned.append(id)
        return pending.entry
    }

    /// Removes and returns every entry, and forgets the abandoned calls (the session ended).
    mutating func removeAll() -> [Entry] {
        let all = entries.values.map(\.entry)
        entries = [:]
        abandoned = []
        return all
    }
}
