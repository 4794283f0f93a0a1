internal import CMsgPack
internal import NIOCore
internal import Transport

/// Writes `WAMPValue`s with msgpack-c's packer, straight into a `ByteBuffer`.
///
/// The packer's write callback copies each chunk (a header, or a string's or binary's bytes)
/// directly into the buffer's writable memory, obtained once with
/// `withUnsafeMutableWritableBytes`: no intermediate buffer, and no `ByteBuffer` call per
/// chunk. If the region turns out too small, the callback keeps counting without writing, and
/// the value is packed a second time into a region of exactly the size counted.
struct MsgPackWriter {
    /// A packer set up by ``withPacker(appendingTo:_:)``.
    typealias Packer = UnsafeMutablePointer<msgpack_packer>

    /// The deepest nesting written; the message's own list is level 1.
    let maxNestingDepth: Int

    /// The writable bytes reserved for the first attempt when the buffer has fewer.
    static let initialCapacity = 512

    /// The writable bytes reserved for a message's head (type code, IDs, options or details)
    /// beside a serialized payload that is copied as it is.
    static let headRoom = 128

    /// Runs `body` with a packer that appends to `buffer`. `body` may run twice (see above),
    /// so it must do nothing but pack. On error `buffer` is unchanged.
    func withPacker(
        appendingTo buffer: inout ByteBuffer,
        _ body: (Packer) throws(WAMPSerializationError) -> Void
    ) throws(WAMPSerializationError) {
        var capacity = max(buffer.writableBytes, Self.initialCapacity)
        while true {
            buffer.reserveCapacity(minimumWritableBytes: capacity)
            let result = buffer.withUnsafeMutableWritableBytes { memory -> Result<Int, WAMPSerializationError> in
                var region = WritableRegion(start: memory.baseAddress, capacity: memory.count, count: 0)
                return withUnsafeMutablePointer(to: &region) { region in
                    var packer = msgpack_packer()
                    msgpack_packer_init(&packer, UnsafeMutableRawPointer(region), appendToRegion)
                    do throws(WAMPSerializationError) {
                        try withUnsafeMutablePointer(to: &packer) { packer throws(WAMPSerializationError) in
                            try body(packer)
                        }
                    } catch {
                        return .failure(error)
                    }
                    return .success(region.pointee.count)
                }
            }
            let count = try result.get()
            if count <= buffer.writableBytes {
                buffer.moveWriterIndex(forwardBy: count)
                return
            }
            capacity = count  // The region was too small: pack again into what was counted.
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

    /// Writes `message`'s list form, each element as the message hands it over (no list is
    /// built); with `payload`, the elements before `Args` and then the serialized `Args` and
    /// `Kw` of `payload` (MessagePack validated when it was read) copied as they are.
    ///
    /// The list's header, which MessagePack writes before the elements, is a one-octet
    /// `fixarray` written with a count of 0 and set once the elements are written and counted:
    /// every known message has fewer than 16 elements (ERROR, the longest, has 7). Counting them
    /// first cost a second pass over the message. An unknown message of 15 arguments or more
    /// is written from its list form.
    func writeMessage(
        _ message: WAMPMessage, appending payload: WAMPSerializedPayload? = nil, packer: Packer
    ) throws(WAMPSerializationError) {
        if case .unknown(let unknown) = message, unknown.arguments.count + 1 >= Self.fixarrayLimit {
            return try writeList(message.elements, depth: 1, packer: packer)
        }
        // The packer writes into the region that `withPacker(appendingTo:_:)` gave it as its data.
        let region = packer.pointee.data.assumingMemoryBound(to: WritableRegion.self)
        let header = region.pointee.count
        msgpack_pack_array(packer, 0)
        var sink = MsgPackElementSink(writer: self, packer: packer)
        message.appendElements(to: &sink, withoutPayload: payload != nil)
        if let error = sink.error { throw error }
        let count = sink.count + (payload?.elementCount ?? 0)
        precondition(count < Self.fixarrayLimit, "a known message has fewer than 16 elements")
        // Set where it was written; past a full region nothing was written, and the message
        // is packed again into a larger one.
        if header < region.pointee.capacity, let start = region.pointee.start {
            start.storeBytes(of: 0x90 | UInt8(count), toByteOffset: header, as: UInt8.self)
        }
        payload?.bytes.withUnsafeReadableBytes { bytes in
            // The body functions append raw bytes through the write callback.
            _ = msgpack_pack_bin_body(packer, bytes.baseAddress, bytes.count)
        }
    }

    /// The most elements a one-octet `fixarray` header counts, plus one.
    static let fixarrayLimit = 16

    /// Writes `value`, which sits inside `depth` levels of lists and dicts.
    ///
    /// msgpack-c's packing functions return the write callback's result, which is always 0
    /// (the callback cannot fail), so their results are not checked.
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
                .tooLarge, serializer: "msgpack",
                "\(what) of \(count) items is longer than MessagePack allows (2^32 - 1)")
        }
    }

    private func tooDeep() -> WAMPSerializationError {
        WAMPSerializationError(
            .nestingTooDeep, serializer: "msgpack",
            "lists and dicts are nested deeper than \(maxNestingDepth) levels")
    }
}

/// Where msgpack-c's write callback puts the bytes: the writable memory of a `ByteBuffer`.
struct WritableRegion {
    /// The first writable byte.
    var start: UnsafeMutableRawPointer?
    /// How many bytes may be written.
    var capacity: Int
    /// How many bytes were packed; more than `capacity` when the region was too small (the
    /// bytes beyond it were counted, not written).
    var count: Int
}

/// msgpack-c's write callback: copies `count` bytes into the ``WritableRegion`` that `data`
/// points to, or only counts them once the region is full.
private func appendToRegion(
    _ data: UnsafeMutableRawPointer?, _ bytes: UnsafePointer<CChar>?, _ count: Int
) -> Int32 {
    guard let region = data?.assumingMemoryBound(to: WritableRegion.self), let bytes, count > 0 else { return 0 }
    let offset = region.pointee.count
    let end = offset + count
    if end <= region.pointee.capacity, let start = region.pointee.start {
        (start + offset).copyMemory(from: bytes, byteCount: count)
    }
    region.pointee.count = end
    return 0
}
