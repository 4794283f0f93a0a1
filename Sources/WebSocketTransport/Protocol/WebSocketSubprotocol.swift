public import Transport

/// The `Sec-WebSocket-Protocol` negotiation that picks the WAMP serializer.
public enum WebSocketSubprotocol {
    /// The header value a client sends: the subprotocols of `serializers` in order of
    /// preference, comma-separated (`wamp.2.msgpack, wamp.2.json`).
    public static func offer(_ serializers: [any WAMPSerializer]) -> String {
        serializers.map(\.id.webSocketSubprotocol).joined(separator: ", ")
    }

    /// The names in `Sec-WebSocket-Protocol` header values, in order.
    public static func parse(_ headerValues: [String]) -> [String] {
        headerValues.flatMap { $0.split(separator: ",") }
            .map(trimmed)
            .filter { !$0.isEmpty }
    }

    /// The server's choice: the first subprotocol the client offered that a serializer in
    /// `accepted` speaks (the client's order of preference wins), or `nil`.
    public static func select(offered: [String], accepted: [any WAMPSerializer]) -> (any WAMPSerializer)? {
        for name in offered {
            if let serializer = accepted.first(where: { $0.id.webSocketSubprotocol == name }) { return serializer }
        }
        return nil
    }
}

/// The text without leading and trailing spaces and tabs (HTTP optional whitespace).
private func trimmed(_ text: Substring) -> String {
    var text = text
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return String(text)
}
