extension WAMPMessage {
    /// A message whose type code this library does not know (extensions use 256 ... 1023),
    /// kept with all its elements so that a relay can pass it on unchanged.
    public struct Unknown: Hashable, Sendable {
        /// The type code.
        public var type: WAMPMessageType
        /// The elements after the type code.
        public var arguments: [WAMPValue]

        /// Creates an unknown message.
        public init(type: WAMPMessageType, arguments: [WAMPValue]) {
            self.type = type
            self.arguments = arguments
        }
    }
}
