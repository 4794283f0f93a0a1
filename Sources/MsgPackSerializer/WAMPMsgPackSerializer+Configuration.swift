extension WAMPMsgPackSerializer {
    /// The limits a ``WAMPMsgPackSerializer`` enforces.
    ///
    /// All limits protect a receiver from hostile input. The input length is checked before a
    /// single byte is read; nesting depth, element counts and lengths are checked by a cheap
    /// structural scan before the input reaches msgpack-c, whose unpacker allocates the memory
    /// for a list or dict as soon as it reads the header's element count.
    ///
    /// ```swift
    /// var configuration = WAMPMsgPackSerializer.Configuration()
    /// configuration.maxNestingDepth = 16
    /// let serializer = WAMPMsgPackSerializer(configuration: configuration)
    /// ```
    public struct Configuration: Hashable, Sendable {
        /// The deepest nesting of lists and dicts accepted, counting the message's own list as
        /// level 1 (so `[1, "realm", {}]` has depth 2). Default: 32.
        ///
        /// Deeper input is refused with `WAMPSerializationError.Code.nestingTooDeep`; a deeper
        /// value is refused the same way when it is serialized, so that this serializer never
        /// writes what it would refuse to read.
        ///
        /// msgpack-c's unpacker has a fixed parse stack of 32 levels
        /// (`MSGPACK_EMBED_STACK_SIZE`, compiled into the library) and fails deeper input, so
        /// values above 32 act as 32; the default is that limit. Values below 1 act as 1.
        public var maxNestingDepth: Int

        /// The longest input accepted, in bytes. Default: 16 MiB (2^24, the largest RawSocket
        /// message).
        ///
        /// Longer input is refused with `WAMPSerializationError.Code.tooLarge` before it is
        /// scanned or parsed. Output is not limited here: the transport checks what it sends
        /// against the peer's announced limit.
        public var maxInputLength: Int

        /// The most values that lists and dicts of one input may hold in total, counted over
        /// every level (a dict entry counts twice: key and value). Default: 2^20 (1,048,576).
        ///
        /// msgpack-c allocates 24 bytes per list element and 48 per dict entry when it reads a
        /// container's header, and the decoded `WAMPValue` tree costs about as
        /// much again. Independently of this limit, every list or dict must claim no more
        /// elements than there are bytes left in the input (each element takes at least one
        /// byte), so the total never exceeds the input length. This limit caps the memory a
        /// single message can cost (about 50 MB at the default) below what
        /// ``maxInputLength`` alone would allow. Input above it is refused with
        /// `WAMPSerializationError.Code.tooLarge`.
        public var maxElementCount: Int
        /// The shortest message whose `Args` and `Kw` stay serialized
        /// (`WAMPPayload.serialized(_:)`), in bytes; shorter messages are decoded whole.
        /// Default: 1,024.
        ///
        /// Keeping a payload serialized saves its decoding when nobody reads it (a router
        /// forwarding it) and costs a second pass when somebody does. For a small payload the
        /// saving is a few hundred instructions and the second pass about as much, so it pays off
        /// for longer messages only. 0 keeps every payload serialized; `Int.max` none.
        public var serializedPayloadThreshold: Int = Configuration.defaultSerializedPayloadThreshold
        /// The default ``serializedPayloadThreshold``: 1,024 bytes.
        public static let defaultSerializedPayloadThreshold = 1024

        /// Whether a serialized payload stays a slice of the received buffer however much
        /// larger that buffer is. Default: `false`.
        ///
        /// A small message read together with many others shares their buffer, often 64 KiB:
        /// by default its payload is copied when the buffer is more than twice its length and
        /// more than 4 KiB longer, so that a message kept in a queue does not keep the whole
        /// read alive. That copy is an allocation per message. A holder that passes messages on
        /// at once and copies only those it keeps (a router, whose outbound queue does) sets
        /// this to `true`.
        public var keepsPayloadSlices = false

        /// The default nesting limit: 32 levels, msgpack-c's own limit.
        public static let defaultMaxNestingDepth = 32

        /// The default input limit: 16 MiB.
        public static let defaultMaxInputLength = 16 * 1024 * 1024

        /// The default element limit: 2^20 values.
        public static let defaultMaxElementCount = 1 << 20

        /// The deepest nesting msgpack-c 4's unpacker can parse: 32 levels.
        public static let msgpackCMaxNestingDepth = 32

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

        /// ``maxNestingDepth`` clamped to what msgpack-c can honour.
        var effectiveMaxNestingDepth: Int {
            min(max(maxNestingDepth, 1), Self.msgpackCMaxNestingDepth)
        }
    }
}
