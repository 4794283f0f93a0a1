/// An error thrown by a ``WAMPTransport``, whichever the wire: it says, in transport-independent
/// terms, what kind of failure it is.
///
/// Each transport throws its own error type (`RawSocketError`, `WebSocketError`) with codes
/// precise to its protocol; each conforms to this protocol, so that a session or a router
/// matches failures without knowing the transport:
///
/// ```swift
/// do {
///     try await transport.send(message)
/// } catch let error as any WAMPTransportError where error.kind == .messageTooLarge {
///     // the message was not sent; the connection is still usable
/// }
/// ```
public protocol WAMPTransportError: Error, Sendable, CustomStringConvertible {
    /// The transport-independent kind of the failure.
    var kind: WAMPTransportErrorKind { get }
}
