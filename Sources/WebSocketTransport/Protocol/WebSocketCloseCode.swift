/// The close codes this transport sends (RFC 6455 section 7.4.1).
public enum WebSocketCloseCode {
    /// 1000: the purpose of the connection was fulfilled.
    public static let normalClosure: UInt16 = 1000
    /// 1001: the endpoint is going away (a server shutting down).
    public static let goingAway: UInt16 = 1001
    /// 1002: the peer broke the protocol.
    public static let protocolError: UInt16 = 1002
    /// 1003: a message of a kind this endpoint cannot accept (text for a binary serializer).
    public static let unsupportedData: UInt16 = 1003
    /// 1005: reserved; stands for "the close frame carried no code" and is never sent.
    public static let noStatusReceived: UInt16 = 1005
    /// 1007: a text message that is not valid UTF-8.
    public static let invalidPayloadData: UInt16 = 1007
    /// 1008: a policy violation (used for an unanswered PING).
    public static let policyViolation: UInt16 = 1008
    /// 1009: a message larger than this endpoint accepts.
    public static let messageTooBig: UInt16 = 1009
}
