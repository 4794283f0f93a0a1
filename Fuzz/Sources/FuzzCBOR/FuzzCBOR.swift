import CBORSerializer
import FuzzSupport

/// libFuzzer entry point: arbitrary bytes into `WAMPCBORSerializer`.
///
/// Any thrown error is fine. What decodes must serialize again and decode back to an equal
/// message (and value); anything else traps, because it is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SerializerRoundTrip(
        name: "CBOR", serializer: WAMPCBORSerializer(),
        serializeValue: { try $0.serializeValue($1, into: &$2) },
        deserializeValue: { try $0.deserializeValue($1) }
    ).run(data, size)
    return 0
}
