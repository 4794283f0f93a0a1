import Transport

/// Which subscribers receive a publication: the black- and whitelisting options of PUBLISH
/// (`exclude`, `exclude_authid`, `exclude_authrole`, `eligible`, `eligible_authid`,
/// `eligible_authrole`) and `exclude_me` (default `true`).
struct PublicationFilter: Hashable, Sendable {
    var exclude: Set<WAMPID>?
    var excludeAuthIDs: Set<String>?
    var excludeAuthRoles: Set<String>?
    var eligible: Set<WAMPID>?
    var eligibleAuthIDs: Set<String>?
    var eligibleAuthRoles: Set<String>?
    /// The publisher, when it is excluded (`exclude_me`, the default).
    var publisher: WAMPID?

    /// Admits every subscriber but `publisher`.
    init(excludingPublisher publisher: WAMPID? = nil) {
        self.publisher = publisher
    }

    /// The filter a PUBLISH from `publisher` asks for.
    init(_ options: OptionReader, publisher: WAMPID) throws(InvalidOption) {
        exclude = try options.ids("exclude")
        excludeAuthIDs = try options.strings("exclude_authid")
        excludeAuthRoles = try options.strings("exclude_authrole")
        eligible = try options.ids("eligible")
        eligibleAuthIDs = try options.strings("eligible_authid")
        eligibleAuthRoles = try options.strings("eligible_authrole")
        self.publisher = try options.bool("exclude_me", default: true) ? publisher : nil
    }

    /// Whether a subscriber receives the event: it is not the excluded publisher, it is in every
    /// whitelist given and in no blacklist given.
    func admits(_ session: WAMPID, authid: String, authrole: String) -> Bool {
        if session == publisher { return false }
        if let eligible, !eligible.contains(session) { return false }
        if let eligibleAuthIDs, !eligibleAuthIDs.contains(authid) { return false }
        if let eligibleAuthRoles, !eligibleAuthRoles.contains(authrole) { return false }
        if let exclude, exclude.contains(session) { return false }
        if let excludeAuthIDs, excludeAuthIDs.contains(authid) { return false }
        if let excludeAuthRoles, excludeAuthRoles.contains(authrole) { return false }
        return true
    }
}
