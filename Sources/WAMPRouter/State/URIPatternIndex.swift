import Transport

/// The patterns of a broker's subscriptions or a dealer's registrations, each with its ID,
/// indexed so that matching a URI does not scan every pattern: exact patterns by URI, prefix
/// patterns by string (a URI of length L is matched with L lookups), wildcard patterns grouped
/// by their number of components.
struct URIPatternIndex: Sendable {
    /// A wildcard pattern, split once.
    private struct Wildcard: Sendable {
        let id: WAMPID
        /// The components; an empty one matches any component.
        let components: [Substring]
        /// The lengths of the runs of concrete components, in order: the spec's priority of one
        /// wildcard pattern over another (longer first runs win, then longer second runs ...).
        let rank: [Int]

        init(id: WAMPID, pattern: String) {
            self.id = id
            components = pattern.split(separator: ".", omittingEmptySubsequences: false)
            var rank = [0]
            for component in components {
                if component.isEmpty { rank.append(0) } else { rank[rank.count - 1] += 1 }
            }
            self.rank = rank
        }

        func matches(_ uri: [Substring]) -> Bool {
            for (pattern, component) in zip(components, uri) where !pattern.isEmpty && pattern != component {
                return false
            }
            return true
        }
    }

    private var exact: [String: WAMPID] = [:]
    private var prefixes: [String: WAMPID] = [:]
    /// Wildcard patterns by number of components, then by pattern.
    private var wildcards: [Int: [String: Wildcard]] = [:]

    /// Whether no pattern is indexed.
    var isEmpty: Bool { exact.isEmpty && prefixes.isEmpty && wildcards.isEmpty }

    /// The ID of `pattern` under `policy`, if indexed.
    func id(of pattern: String, _ policy: URIMatchPolicy) -> WAMPID? {
        switch policy {
        case .exact: return exact[pattern]
        case .prefix: return prefixes[pattern]
        case .wildcard: return wildcards[Self.componentCount(pattern)]?[pattern]?.id
        }
    }

    /// Indexes `pattern` under `policy` with `id`, replacing what was there.
    mutating func insert(_ pattern: String, _ policy: URIMatchPolicy, id: WAMPID) {
        switch policy {
        case .exact: exact[pattern] = id
        case .prefix: prefixes[pattern] = id
        case .wildcard: wildcards[Self.componentCount(pattern), default: [:]][pattern] = Wildcard(id: id, pattern: pattern)
        }
    }

    /// Removes `pattern` under `policy`.
    mutating func remove(_ pattern: String, _ policy: URIMatchPolicy) {
        switch policy {
        case .exact: exact[pattern] = nil
        case .prefix: prefixes[pattern] = nil
        case .wildcard:
            let count = Self.componentCount(pattern)
            wildcards[count]?[pattern] = nil
            if wildcards[count]?.isEmpty == true { wildcards[count] = nil }
        }
    }

    /// Every pattern that matches `uri`, with its policy (the broker delivers an event once per
    /// matching subscription).
    func matches(_ uri: String) -> [(id: WAMPID, policy: URIMatchPolicy)] {
        var found: [(id: WAMPID, policy: URIMatchPolicy)] = []
        if let id = exact[uri] { found.append((id, .exact)) }
        if !prefixes.isEmpty {
            forEachPrefix(of: uri) { id, _ in found.append((id, .prefix)) }
        }
        if !wildcards.isEmpty {
            let components = uri.split(separator: ".", omittingEmptySubsequences: false)
            for wildcard in wildcards[components.count]?.values ?? [:].values where wildcard.matches(components) {
                found.append((wildcard.id, .wildcard))
            }
        }
        return found
    }

    /// The one pattern a call to `uri` goes to, by the spec's rules: an exact match; else the
    /// longest matching prefix; else the wildcard pattern with the longest runs of concrete
    /// components, earlier runs first (ties: the lowest ID, the oldest).
    func bestMatch(_ uri: String) -> (id: WAMPID, policy: URIMatchPolicy)? {
        if let id = exact[uri] { return (id, .exact) }
        var longest: (id: WAMPID, length: Int)?
        forEachPrefix(of: uri) { id, length in
            if length > longest?.length ?? -1 { longest = (id, length) }
        }
        if let longest { return (longest.id, .prefix) }
        guard !wildcards.isEmpty else { return nil }
        let components = uri.split(separator: ".", omittingEmptySubsequences: false)
        var best: Wildcard?
        for wildcard in wildcards[components.count]?.values ?? [:].values where wildcard.matches(components) {
            guard let current = best else {
                best = wildcard
                continue
            }
            if wildcard.rank.lexicographicallyPrecedes(current.rank) { continue }
            if wildcard.rank == current.rank && wildcard.id > current.id { continue }
            best = wildcard
        }
        return best.map { ($0.id, .wildcard) }
    }

    /// Calls `body` with the ID and length of every indexed prefix that `uri` starts with:
    /// scanning the prefixes when there are fewer than the URI has characters, else looking up
    /// each of the URI's prefixes.
    private func forEachPrefix(of uri: String, _ body: (WAMPID, Int) -> Void) {
        guard !prefixes.isEmpty else { return }
        if prefixes.count < uri.utf8.count {
            for (prefix, id) in prefixes where uri.hasPrefix(prefix) { body(id, prefix.count) }
            return
        }
        var end = uri.startIndex
        var length = 0
        while end < uri.endIndex {
            end = uri.index(after: end)
            length += 1
            if let id = prefixes[String(uri[..<end])] { body(id, length) }
        }
    }

    private static func componentCount(_ pattern: String) -> Int {
        pattern.utf8.reduce(1) { $0 + ($1 == UInt8(ascii: ".") ? 1 : 0) }
    }
}
