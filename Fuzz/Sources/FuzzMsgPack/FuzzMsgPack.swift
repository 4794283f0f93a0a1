import MsgPackSerializer
import NIOCore
import Transport

/// libFuzzer entry point: arbitrary bytes into `WAMPMsgPackSerializer`.
///
/// Any thrown error is fine. What decodes must serialize again and decode back to an equal
/// message (and value); anything else traps, because it is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    let serializer = WAMPMsgPackSerializer()

    // Any value (not only a message).
    if let value = try? serializer.deserializeValue(buffer) {
        var out = ByteBuffer()
        do {
            try serializer.serializeValue(value, into: &out)
        } catch {
            fatalError("MsgPack: a decoded value does not serialize: \(error)\nvalue: \(value)")
        }
        let again: WAMPValue
        do {
            again = try serializer.deserializeValue(out)
        } catch {
            fatalError("MsgPack: a re-serialized value does not decode: \(error)\nvalue: \(value)\nbytes: \(hex(out))")
        }
        guard again == value else {
            fatalError("MsgPack: value round trip differs\nfirst:  \(value)\nsecond: \(again)\nbytes: \(hex(out))")
        }
    }

    // A message.
    guard let message = try? serializer.deserialize(buffer) else { return 0 }
    let out: ByteBuffer
    do {
        out = try serializer.serialize(message, allocator: ByteBufferAllocator())
    } catch {
        fatalError("MsgPack: a decoded message does not serialize: \(error)\nmessage: \(message)")
    }
    let again: WAMPMessage
    do {
        again = try serializer.deserialize(out)
    } catch {
        fatalError("MsgPack: a re-serialized message does not decode: \(error)\nmessage: \(message)\nbytes: \(hex(out))")
    }
    guard again == message else {
        fatalError("MsgPack: message round trip differs\nfirst:  \(message)\nsecond: \(again)\nbytes: \(hex(out))")
    }
    return 0
}

private func hex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
