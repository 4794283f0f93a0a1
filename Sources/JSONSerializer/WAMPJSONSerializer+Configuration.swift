extension WAMPJSONSerializer {
    /// The limits a ``WAMPJSONSerializer`` enforces.
    ///
    /// Both limits protect a receiver from hostile input: the input length is checked before
    /// a single byte is parsed, and the nesting depth is checked by a cheap byte scan before
    /// the input reaches Foundation's parser.
    ///
    /// ```swift
    /// var configuration = WAMPJSONSerializer.Configuration()
    /// configuration.maxNestingDepth = 16
    /// let serializer = WAMPJSONSerializer(configuration: configuration)
    /// ```
    public struct Configuration: Hashable, Sendable {
        /// The deepest nesting of lists and dicts accepted, counting the message's own list as
        /// level 1 (so `[1, "realm", {}]` has depth 2). Default: 64.
        ///
        /// Deeper input is refused with `WAMPSerializationError.Code.nestingTooDeep`;
        /// a deeper value is refused the same way when it is serialized, so that this
        /// serializer never writes what it would refuse to read. Foundation's parser accepts
        /// at most 512 levels, so values above 512 act as 512. Values below 1 act as 1.
        public var maxNestingDepth: Int

        /// The longest input accepted, in bytes. Default: 16 MiB (2^24, the largest RawSocket
        /// message).
        ///
        /// Longer input is refused with `WAMPSerializationError.Code.tooLarge`
        /// before it is scanned or parsed. Output is not limited here: the transport checks
        /// what it sends against the peer's announced limit.
        public var maxInputLength: Int

        /// The default nesting limit: 64 levels.
        public static let defaultMaxNestingDepth = 64

        /// The default input limit: 16 MiB.
        public static let defaultMaxInputLength = 16 * 1024 * 1024

        /// Creates a configuration; every limit defaults to its documented value.
        public init(
            maxNestingDepth: Int = Configuration.defaultMaxNestingDepth,
            maxInputLength: Int = Configuration.defaultMaxInputLength
        ) {
            self.maxNestingDepth = maxNestingDepth
            self.maxInputLength = maxInputLength
        }

        /// The deepest nesting that Foundation's `JSONSerialization` parses.
        static let foundationMaxNestingDepth = 512

        /// ``maxNestingDepth`` clamped to what the parser can honour.
        var effectiveMaxNestingDepth: Int {
            min(max(maxNestingDepth, 1), Self.foundationMaxNestingDepth)
        }
    }
}
