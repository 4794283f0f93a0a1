import JSONSerializer
import WAMPSession
import NIOCore
import Transport

/// JSON text in and out of the session subcommands, with the WAMP JSON serializer's rules
/// (binary as a string of U+0000 and Base64), with sorted keys.
enum JSONText {
    private static let serializer = WAMPJSONSerializer()

    /// The value of `text` as JSON when it parses, else `text` as a string.
    static func parseLenient(_ text: String) -> WAMPValue {
        var buffer = ByteBufferAllocator().buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        return (try? serializer.deserializeValue(buffer)) ?? .string(text)
    }

    /// The value as compact JSON, the keys of every dict sorted (so that the same value always
    /// prints the same way).
    static func format(_ value: WAMPValue) -> String {
        switch value {
        case .list(let items):
            return "[" + items.map(format).joined(separator: ",") + "]"
        case .dict(let members):
            return "{" + members.keys.sorted().map { format(.string($0)) + ":" + format(members[$0]!) }.joined(separator: ",") + "}"
        default:
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            do {
                try serializer.serializeValue(value, into: &buffer)
            } catch {
                return "null"
            }
            return buffer.readString(length: buffer.readableBytes) ?? "null"
        }
    }

    /// `{"args": [...], "kwargs": {...}}`.
    static func argsLine(_ args: [WAMPValue], _ kwargs: [String: WAMPValue]) -> String {
        "{\"args\": \(format(.list(args))), \"kwargs\": \(format(.dict(kwargs)))}"
    }

    /// `{"args": [...], "error": URI, "kwargs": {...}}`.
    static func errorLine(_ error: WAMPError) -> String {
        "{\"args\": \(format(.list(error.args))), \"error\": \(format(.string(error.uri))), \"kwargs\": \(format(.dict(error.kwargs)))}"
    }
}
