/// The serializer identifier negotiated by the RawSocket handshake (a 4-bit number) and by
/// the WebSocket subprotocol (`wamp.2.NAME`).
///
/// An open set, like NIO's `WebSocketOpcode`: ids this library has no plugin for are
/// still representable so that a handshake can name and refuse them.
public struct WAMPSerializerID: Hashable, Sendable {
    /// The RawSocket handshake value, 1 ... 15 (0 is illegal).
    public var rawSocketValue: UInt8
    /// The short name ("json", "msgpack", ...).
    public var name: String

    /// Creates an identifier.
    public init(rawSocketValue: UInt8, name: String) {
        self.rawSocketValue = rawSocketValue
        self.name = name
    }

    /// The WebSocket subprotocol name, `wamp.2.` followed by ``name``.
    public var webSocketSubprotocol: String { "wamp.2." + name }

    /// JSON: RawSocket 1, `wamp.2.json`.
    public static let json = WAMPSerializerID(rawSocketValue: 1, name: "json")
    /// MessagePack: RawSocket 2, `wamp.2.msgpack`.
    public static let msgpack = WAMPSerializerID(rawSocketValue: 2, name: "msgpack")
    /// CBOR: RawSocket 3, `wamp.2.cbor`.
    public static let cbor = WAMPSerializerID(rawSocketValue: 3, name: "cbor")
    /// UBJSON: RawSocket 4, `wamp.2.ubjson`.
    public static let ubjson = WAMPSerializerID(rawSocketValue: 4, name: "ubjson")
    /// FlatBuffers: RawSocket 5, `wamp.2.flatbuffers`.
    public static let flatbuffers = WAMPSerializerID(rawSocketValue: 5, name: "flatbuffers")

    /// The identifier registered for a RawSocket handshake value, or one named `"serializer-N"`.
    public init(rawSocketValue value: UInt8) {
        switch value {
        case 1: self = .json
        case 2: self = .msgpack
        case 3: self = .cbor
        case 4: self = .ubjson
        case 5: self = .flatbuffers
        default: self.init(rawSocketValue: value, name: "serializer-\(value)")
        }
    }
}

extension WAMPSerializerID: CustomStringConvertible {
    /// The name and the RawSocket value: `json (1)`.
    public var description: String { "\(name) (\(rawSocketValue))" }
}
