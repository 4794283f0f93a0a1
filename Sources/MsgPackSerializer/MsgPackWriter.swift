internal import CMsgPack
internal import NIOCore
internal import Transport

/// Writes ``Transport/WAMPValue``s with msgpack-c's packer, straight into a `ByteBuffer`.
///
/// The packer's `data` is a pointer to the caller's `inout ByteBuffer`, valid for the
/// duration of ``withPacker(appendingTo:_:)``; msgpack-c's write callback appends each chunk
/// (a header, or a string's or binary's bytes) to it. No intermediate buffer, no copy but the
/// one into the `ByteBuffer`.
struct MsgPackWriter {
    /// A packer set up by ``withPacker(appendingTo:_:)``.
    typealias Packer = UnsafeMutablePointer<msgpack_packer>

    /// The deepest nesting written; the message's own list is level 1.
    let maxNestingDepth: Int

    /// Runs `body` with a packer that appends to `buffer`.
    func withPacker(
        appendingTo buffer: inout ByteBuffer,
        _ body: (Packer) throws(WAMPSerializationError) -> Void
    ) throws(WAMPSerializationError) {
        try withUnsafeMutablePointer(to: &buffer) { buffer throws(WAMPSerializationError) in
            var packer = msgpack_packer()
            msgpack_packer_init(&packer, UnsafeMutableRawPointer(buffer), appendToByteBuffer)
            try withUnsafeMutablePointer(to: &packer) { packer throws(WAMPSerializationError) in
                try body(packer)
            }
        }
    }

    /// Writes a list whose own nesting level is `depth`.
    func writeList(_ elements: [WAMPValue], depth: Int, packer: Packer) throws(WAMPSerializationError) {
        guard depth <= maxNestingDepth else { throw tooDeep() }
        try checkLength(elements.count, "a list")
        msgpack_pack_array(packer, elements.count)
        for element in elements {
            try write(element, depth: depth, packer: packer)
        }
    }

    /// Writes `value`, which sits inside `depth` levels of lists and dicts.
    ///
    /// msgpack-c's packing functions return the write callback's result, which is always 0
    /// (appending to a `ByteBuffer` cannot fail), so their results are not checked.
    func write(_ value: WAMPValue, depth: Int, packer: Packer) throws(WAMPSerializationError) {
        switch value {
        case .null:
            msgpack_pack_nil(packer)
        case .bool(let bool):
            if bool { msgpack_pack_true(packer) } else { msgpack_pack_false(packer) }
        case .integer(let integer):
            msgpack_pack_int64(packer, integer)  // smallest encoding; uint formats when >= 0
        case .unsignedInteger(let integer):
            msgpack_pack_uint64(packer, integer)
        case .double(let double):
            msgpack_pack_double(packer, double)
        case .string(let string):
            try writeString(string, packer: packer)
        case .binary(let bytes):
            try checkLength(bytes.count, "a binary value")
            msgpack_pack_bin(packer, bytes.count)
            bytes.withUnsafeBytes { bytes in
                _ = msgpack_pack_bin_body(packer, bytes.baseAddress, bytes.count)
            }
        case .list(let elements):
            try writeList(elements, depth: depth + 1, packer: packer)
        case .dict(let dict):
            guard depth + 1 <= maxNestingDepth else { throw tooDeep() }
            try checkLength(dict.count, "a dict")
            msgpack_pack_map(packer, dict.count)
            for (key, element) in dict {
                try writeString(key, packer: packer)
                try write(element, depth: depth + 1, packer: packer)
            }
        }
    }

    private func writeString(_ string: String, packer: Packer) throws(WAMPSerializationError) {
        try checkLength(string.utf8.count, "a string")  // O(1) for native strings
        var string = string
        string.withUTF8 { utf8 in
            msgpack_pack_str(packer, utf8.count)
            _ = msgpack_pack_str_body(packer, utf8.baseAddress, utf8.count)
        }
    }

    /// MessagePack lengths and counts are at most 2^32 - 1; msgpack-c would truncate longer ones.
    @inline(__always)
    private func checkLength(_ count: Int, _ what: String) throws(WAMPSerializationError) {
        guard UInt64(count) <= UInt64(UInt32.max) else {
            throw WAMPSerializationError(
                .tooLarge, serializer: "msgpack", "\(what) of \(count) items is longer than MessagePack allows (2^32 - 1)")
        }
    }

    private func tooDeep() -> WAMPSerializationError {
        WAMPSerializationError(
            .nestingTooDeep, serializer: "msgpack",
            "lists and dicts are nested deeper than \(maxNestingDepth) levels")
    }
}

/// msgpack-c's write callback: appends `count` bytes to the `ByteBuffer` that `data` points to.
private func appendToByteBuffer(
    _ data: UnsafeMutableRawPointer?, _ bytes: UnsafePointer<CChar>?, _ count: Int
) -> Int32 {
    guard let data, let bytes, count > 0 else { return 0 }
    data.assumingMemoryBound(to: ByteBuffer.self).pointee
        .writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
    return 0
}
