extension WAMPCBORSerializer {
    /// The limits a ``WAMPCBORSerializer`` enforces.
    ///
    /// All limits protect a receiver from hostile input. The input length is checked before a
    /// single byte is read; nesting depth, element counts and lengths are checked item by item
    /// as libcbor's streaming decoder reports each header, before anything is allocated for
    /// the item.
    ///
    /// ```swift
    /// var configuration = WAMPCBORSerializer.Configuration()
    /// configuration.maxNestingDepth = 16
    /// let serializer = WAMPCBORSerializer(configuration: configuration)
    /// ```
    public struct Configuration: Hashable, Sendable {
        /// The deepest nesting of lists and dicts accepted, counting the message's own list as
        /// level 1 (so `[1, "realm", {}]` has depth 2). Default: 64, as for JSON.
        ///
        /// Deeper input is refused with `WAMPSerializationError.Code.nestingTooDeep` as soon
        /// as the header that goes too deep is read; a deeper value is refused the same way
        /// when it is serialized, so that this serializer never writes what it would refuse to
        /// read. The decoder is iterative (no recursion), so the limit protects memory, not the
        /// stack. An indefinite-length string is not a level. Values below 1 act as 1.
        public var maxNestingDepth: Int

        /// The longest input accepted, in bytes. Default: 16 MiB (2^24, the largest RawSocket
        /// message).
        ///
        /// Longer input is refused with `WAMPSerializationError.Code.tooLarge` before it is
        /// parsed. Output is not limited here: the transport checks what it sends against the
        /// peer's announced limit.
        public var maxInputLength: Int

        /// The most values that lists and dicts of one input may hold in total, counted over
        /// every level (a dict entry counts twice: key and value). Default: 2^20 (1,048,576).
        ///
        /// A definite-length list or dict is counted when its header is read, an
        /// indefinite-length one element by element. Independently of this limit, a header
        /// must claim no more elements than there are bytes left in the input (each element
        /// takes at least one byte), and nothing is reserved for a claimed count: memory grows
        /// only with elements actually read. Input above the limit is refused with
        /// `WAMPSerializationError.Code.tooLarge`.
        public var maxElementCount: Int

        /// The default nesting limit: 64 levels.
        public static let defaultMaxNestingDepth = 64

        /// The default input limit: 16 MiB.
        public static let defaultMaxInputLength = 16 * 1024 * 1024

        /// The default element limit: 2^20 values.
        public static let defaultMaxElementCount = 1 << 20

        /// Creates a configuration; every limit defaults to its documented value.
        public init(
            maxNestingDepth: Int = Configuration.defaultMaxNestingDepth,
            maxInputLength: Int = Configuration.defaultMaxInputLength,
            maxElementCount: Int = Configuration.defaultMaxElementCount
        ) {
            self.maxNestingDepth = maxNestingDepth
            self.maxInputLength = maxInputLength
            self.maxElementCount = maxElementCount
        }

        /// ``maxNestingDepth``, at least 1.
        var effectiveMaxNestingDepth: Int { max(maxNestingDepth, 1) }
    }
}
