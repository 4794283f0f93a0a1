internal import CCBOR
internal import NIOCore
internal import Transport

/// Writes `WAMPValue`s as CBOR with libcbor's encoders, straight into a `ByteBuffer`.
///
/// Each header is encoded by a `cbor_encode_*` function directly into the buffer's writable
/// memory (at most 9 bytes, reserved before the call); a string's or binary's bytes follow
/// with one copy. Only definite lengths are written. The encoding:
/// - integers in their smallest form (major type 0 for `n >= 0`, 1 for `n < 0`);
/// - doubles as float64 (`0xfb`), never narrowed;
/// - `WAMPValue.string(_:)` as a text string, `WAMPValue.binary(_:)` as a byte string;
/// - null as `0xf6`, booleans as `0xf4` / `0xf5`; no tags.
struct CBORWriter {
    /// The deepest nesting written; the message's own list is level 1.
    let maxNestingDepth: Int

    /// The most bytes a `cbor_encode_*` function writes: an initial byte and an 8-byte argument.
    private static let maxHeaderLength = 9

    /// Writes a list whose own nesting level is `depth`.
    func writeList(_ elements: [WAMPValue], depth: Int, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        guard depth <= maxNestingDepth else { throw tooDeep() }
        header(&buffer) { cbor_encode_array_start(elements.count, $0, $1) }
        for element in elements {
            try write(element, depth: depth, into: &buffer)
        }
    }

    /// Writes `value`, which sits inside `depth` levels of lists and dicts.
    func write(_ value: WAMPValue, depth: Int, into buffer: inout ByteBuffer) throws(WAMPSerializationError) {
        switch value {
        case .null:
            header(&buffer) { cbor_encode_null($0, $1) }
        case .bool(let bool):
            header(&buffer) { cbor_encode_bool(bool, $0, $1) }
        case .integer(let integer):
            if integer >= 0 {
                header(&buffer) { cbor_encode_uint(UInt64(integer), $0, $1) }
            } else {
                // -1 - integer, which is the bitwise complement.
                header(&buffer) { cbor_encode_negint(UInt64(bitPattern: ~integer), $0, $1) }
            }
        case .unsignedInteger(let integer):
            header(&buffer) { cbor_encode_uint(integer, $0, $1) }
        case .double(let double):
            header(&buffer) { cbor_encode_double(double, $0, $1) }
        case .string(let string):
            writeString(string, into: &buffer)
        case .binary(let bytes):
            header(&buffer) { cbor_encode_bytestring_start(bytes.count, $0, $1) }
            buffer.writeBytes(bytes)
        case .list(let elements):
            try writeList(elements, depth: depth + 1, into: &buffer)
        case .dict(let dict):
            guard depth + 1 <= maxNestingDepth else { throw tooDeep() }
            header(&buffer) { cbor_encode_map_start(dict.count, $0, $1) }
            for (key, element) in dict {
                writeString(key, into: &buffer)
                try write(element, depth: depth + 1, into: &buffer)
            }
        }
    }

    private func writeString(_ string: String, into buffer: inout ByteBuffer) {
        header(&buffer) { cbor_encode_string_start(string.utf8.count, $0, $1) }  // O(1) for native strings
        buffer.writeString(string)
    }

    /// Runs one `cbor_encode_*` function on the buffer's writable memory and moves the writer
    /// index past what it wrote. libcbor returns 0 when the space is too small, which cannot
    /// happen: ``maxHeaderLength`` bytes are reserved first.
    @inline(__always)
    private func header(
        _ buffer: inout ByteBuffer, _ encode: (UnsafeMutablePointer<UInt8>, Int) -> Int
    ) {
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maxHeaderLength) { memory in
            encode(memory.baseAddress!.assumingMemoryBound(to: UInt8.self), memory.count)
        }
        assert(written > 0, "libcbor had no room for a header in \(Self.maxHeaderLength) bytes")
    }

    private func tooDeep() -> WAMPSerializationError {
        WAMPSerializationError(
            .nestingTooDeep, serializer: "cbor",
            "lists and dicts are nested deeper than \(maxNestingDepth) levels")
    }
}
