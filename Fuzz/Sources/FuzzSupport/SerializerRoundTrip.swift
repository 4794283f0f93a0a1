import NIOCore
import Transport

/// The check every serializer harness runs on its input: any thrown error is fine; what
/// decodes must serialize again and decode back to an equal value and an equal message.
/// Anything else traps, because it is a bug.
public struct SerializerRoundTrip<Serializer: WAMPSerializer> {
    /// The serializer's name in crash reports ("JSON", "MsgPack", "CBOR").
    public var name: String
    public var serializer: Serializer
    /// The serializer's `serializeValue(_:into:)`.
    public var serializeValue: (Serializer, WAMPValue, inout ByteBuffer) throws -> Void
    /// The serializer's `deserializeValue(_:)`.
    public var deserializeValue: (Serializer, ByteBuffer) throws -> WAMPValue
    /// How bytes are shown in a crash report (text for JSON, hex for binary formats).
    public var render: (ByteBuffer) -> String

    public init(
        name: String, serializer: Serializer,
        serializeValue: @escaping (Serializer, WAMPValue, inout ByteBuffer) throws -> Void,
        deserializeValue: @escaping (Serializer, ByteBuffer) throws -> WAMPValue,
        render: @escaping (ByteBuffer) -> String = SerializerRoundTrip.hex
    ) {
        self.name = name
        self.serializer = serializer
        self.serializeValue = serializeValue
        self.deserializeValue = deserializeValue
        self.render = render
    }

    /// Runs the check on libFuzzer's input.
    public func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))

        // Any value (not only a message).
        if let value = try? deserializeValue(serializer, buffer) {
            var out = ByteBuffer()
            do {
                try serializeValue(serializer, value, &out)
            } catch {
                fatalError("\(name): a decoded value does not serialize: \(error)\nvalue: \(value)")
            }
            let again: WAMPValue
            do {
                again = try deserializeValue(serializer, out)
            } catch {
                fatalError("\(name): a re-serialized value does not decode: \(error)\nvalue: \(value)\nbytes: \(render(out))")
            }
            guard again == value else {
                fatalError("\(name): value round trip differs\nfirst:  \(value)\nsecond: \(again)\nbytes: \(render(out))")
            }
        }

        // A message.
        guard let message = try? serializer.deserialize(buffer) else { return }
        let out: ByteBuffer
        do {
            out = try serializer.serialize(message, allocator: ByteBufferAllocator())
        } catch {
            fatalError("\(name): a decoded message does not serialize: \(error)\nmessage: \(message)")
        }
        let again: WAMPMessage
        do {
            again = try serializer.deserialize(out)
        } catch {
            fatalError("\(name): a re-serialized message does not decode: \(error)\nmessage: \(message)\nbytes: \(render(out))")
        }
        guard again == message else {
            fatalError("\(name): message round trip differs\nfirst:  \(message)\nsecond: \(again)\nbytes: \(render(out))")
        }
    }

    /// Lower-case hex of the readable bytes.
    public static func hex(_ buffer: ByteBuffer) -> String {
        buffer.readableBytesView.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
