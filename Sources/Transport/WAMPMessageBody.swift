/// The common shape of the typed WAMP messages: a fixed type code, decoding from the list
/// form with validation, and encoding back to it.
public protocol WAMPMessageBody: Hashable, Sendable {
    /// The type code of this kind of message.
    static var messageType: WAMPMessageType { get }

    /// Decodes the message from its list form (type code first), validating element count,
    /// element types, ID ranges and URIs.
    init(elements: [WAMPValue]) throws(WAMPProtocolError)

    /// Hands the elements after the type code to `elements`, in order: an array, or a
    /// serializer's ``WAMPElementSink`` that writes each as it comes.
    func appendElements(to elements: inout some WAMPElementSink)
}

extension WAMPMessageBody {
    /// The list form of the message, type code first.
    public var elements: [WAMPValue] {
        var out: [WAMPValue] = []
        out.reserveCapacity(7)
        out.append(.integer(Self.messageType.rawValue))
        appendElements(to: &out)
        return out
    }
}
