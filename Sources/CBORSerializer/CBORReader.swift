internal import CCBOR
internal import Transport

/// Decodes one CBOR data item with libcbor's streaming decoder and builds a `WAMPValue`.
///
/// `cbor_stream_decode` reads one header per call, checks that the bytes it announces are
/// there, and reports the item through a callback (see ``CBORItem``); it allocates nothing.
/// This reader calls it in a loop and hands each item to a ``CBORValueBuilder``, which
/// assembles the value iteratively and enforces every limit at the header that breaks it,
/// before anything is allocated for it.
///
/// Nothing is shared between calls, so readers may run on many threads at once.
struct CBORReader {
    let maxNestingDepth: Int
    let maxInputLength: Int
    let maxElementCount: Int

    /// Decodes exactly one value from all of `bytes`.
    func read(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> WAMPValue {
        guard bytes.count <= maxInputLength else {
            throw WAMPSerializationError(
                .tooLarge, serializer: "cbor",
                "the input is \(bytes.count) bytes, more than the limit of \(maxInputLength)")
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw WAMPSerializationError(.truncated, serializer: "cbor", offset: 0, "empty input")
        }
        var builder = CBORValueBuilder(
            base: base, inputLength: bytes.count, maxNestingDepth: maxNestingDepth, maxElementCount: maxElementCount)
        var callbacks = CBORItem.callbacks
        var offset = 0
        while true {
            guard offset < bytes.count else {
                throw WAMPSerializationError(
                    .truncated, serializer: "cbor", offset: offset, "the input ends where a value should start")
            }
            var item = CBORItem.none
            let result = withUnsafeMutablePointer(to: &item) { item in
                cbor_stream_decode(
                    base.assumingMemoryBound(to: UInt8.self) + offset, bytes.count - offset, &callbacks, item)
            }
            let start = offset
            switch result.status {
            case CBOR_DECODER_FINISHED:
                offset += result.read
            case CBOR_DECODER_NEDATA:
                throw WAMPSerializationError(
                    .truncated, serializer: "cbor", offset: start,
                    "the \(Self.majorTypeName(bytes[start])) needs more bytes than the \(bytes.count - start) that remain")
            default:
                throw Self.refusal(of: bytes[start], at: start)
            }
            if let root = try builder.take(item, at: start, remaining: bytes.count - offset) {
                guard offset == bytes.count else {
                    throw WAMPSerializationError(
                        .trailingBytes, serializer: "cbor", offset: offset, "\(bytes.count - offset) bytes follow the message")
                }
                return root
            }
        }
    }

    /// Why libcbor refused the header that starts with `byte`: a tag it does not report
    /// (libcbor 0.8 refuses tags 6 ... 20 itself), an unassigned simple value, or a reserved
    /// encoding.
    private static func refusal(of byte: UInt8, at offset: Int) -> WAMPSerializationError {
        switch byte {
        case 0xc0 ... 0xd7:
            return WAMPSerializationError(
                .unsupportedType, serializer: "cbor", offset: offset,
                "CBOR tag \(byte & 0x1f) is not used by WAMP (tags are refused)")
        case 0xe0 ... 0xf3, 0xf8:
            return WAMPSerializationError(
                .unsupportedType, serializer: "cbor", offset: offset,
                "CBOR simple values other than false, true, null and undefined are not used by WAMP (initial byte 0x\(String(byte, radix: 16)))")
        default:
            return WAMPSerializationError(
                .malformed, serializer: "cbor", offset: offset,
                "the initial byte 0x\(String(byte, radix: 16)) is reserved in CBOR")
        }
    }

    /// The name of the major type that `initialByte` starts, for errors.
    static func majorTypeName(_ initialByte: UInt8) -> String {
        switch initialByte >> 5 {
        case 0: return "unsigned integer"
        case 1: return "negative integer"
        case 2: return "byte string"
        case 3: return "text string"
        case 4: return "array"
        case 5: return "map"
        case 6: return "tag"
        default: return "float or simple value"
        }
    }
}
