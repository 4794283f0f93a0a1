import JSONSerializer
import WAMPSession
import NIOCore
import Transport

/// JSON text in and out of the session subcommands, with the WAMP JSON serializer's rules
/// (binary as a string of U+0000 and Base64).
enum JSONText {
    private static let serializer = WAMPJSONSerializer()

    /// The value of `text` as JSON when it parses, else `text` as a string.
    static func parseLenient(_ text: String) -> WAMPValue {
        var buffer = ByteBufferAllocator().buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        return (try? serializer.deserializeValue(buffer)) ?? .string(text)
    }

    /// The value as compact JSON.
    static func format(_ value: WAMPValue) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        do {
            try serializer.serializeValue(value, into: &buffer)
        } catch {
            return "null"
        }
        return buffer.readString(length: buffer.readableBytes) ?? "null"
    }

    /// `{"args": [...], "kwargs": {...}}`.
    static func argsLine(_ args: [WAMPValue], _ kwargs: [String: WAMPValue]) -> String {
        "{\"args\": \(format(.list(args))), \"kwargs\": \(format(.dict(kwargs)))}"
    }

    /// `{"error": URI, "args": [...], "kwargs": {...}}`.
    static func errorLine(_ error: WAMPError) -> String {
        "{\"error\": \(format(.string(error.uri))), \"args\": \(format(.list(error.args))), \"kwargs\": \(format(.dict(error.kwargs)))}"
    }
}
