/// The `wamp` tool's version, printed by `wamp --version`. Written here only.
enum WAMPToolVersion {
    /// The version string.
    static let current = "0.1.0"
}
