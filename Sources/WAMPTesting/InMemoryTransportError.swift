public import Transport

/// The error an ``InMemoryTransport`` throws: a message sent after the connection closed, one
/// larger than ``InMemoryTransport/maxSendLength``, or (from ``InMemoryTransport/inbound``) a
/// message the configured serializer could not read back.
public struct InMemoryTransportError: WAMPTransportError, Hashable {
    /// The transport-independent kind: `WAMPTransportErrorKind.connectionClosed`,
    /// `WAMPTransportErrorKind.messageTooLarge` or `WAMPTransportErrorKind.invalidMessage`.
    public var kind: WAMPTransportErrorKind
    /// What happened, with the values involved.
    public var message: String

    /// Creates an error.
    public init(_ kind: WAMPTransportErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "in-memory transport (\(kind)): \(message)" }
}
