extension WAMPRouter {
    /// A realm the router offers.
    public struct Realm: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The realm's URI, as clients name it in HELLO.
        public var name: String
        /// The `authrole` of the anonymous sessions that join it. Default: `anonymous`.
        public var anonymousAuthRole: String = "anonymous"

        /// A realm named `name`, with the default settings.
        public init(_ name: String) {
            self.name = name
        }

        /// A realm named by a string literal.
        public init(stringLiteral name: String) {
            self.init(name)
        }
    }
}
