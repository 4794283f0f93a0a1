internal import Transport

/// A structural pre-scan of one MessagePack value, run before msgpack-c sees the input.
///
/// msgpack-c's unpacker allocates `count * 24` bytes for a list (`count * 48` for a map) the
/// moment it reads the header, before any element: an `array32` header claiming 2^32 - 1
/// elements in a ten-byte input asks for 96 GiB, and a few nested headers claiming a few
/// hundred million elements each are granted by an overcommitting kernel. It also has a fixed
/// parse stack of 32 levels. This scan walks the headers only (it decodes no value) and
/// refuses, with an offset:
/// - a count or length larger than the bytes that remain (each element takes at least one
///   byte), so that msgpack-c never allocates more than one object per input byte;
/// - nesting deeper than the limit, and more container elements in total than the limit;
/// - input that ends inside a value, the never-used byte `0xc1`, and bytes after the value.
///
/// It can also check the content of the last elements of the root list (a message's `Args`
/// and `Kw`, which a ``WAMPSerializedPayload`` keeps undecoded): every string valid UTF-8,
/// every map key a string, no extension type; the same rules that decoding applies. And it
/// reports where the root list's last two elements start.
///
/// Iterative, allocation-free (the stack of pending counts is a temporary allocation on the
/// stack: `withUnsafeTemporaryAllocation`, which every platform has, unlike `InlineArray`), and
/// linear in the input length.
struct MsgPackStructureCheck {
    /// The deepest nesting accepted, at most ``WAMPMsgPackSerializer/Configuration/msgpackCMaxNestingDepth``.
    let maxNestingDepth: Int
    /// The most container elements accepted in total (map entries count twice).
    let maxElementCount: Int

    private static let stackCapacity = 33

    init(maxNestingDepth: Int, maxElementCount: Int) {
        precondition(maxNestingDepth >= 1 && maxNestingDepth < Self.stackCapacity)
        self.maxNestingDepth = maxNestingDepth
        self.maxElementCount = maxElementCount
    }

    /// Where the elements of the root list start (when the root is a list).
    struct RootLayout {
        /// The offset of the root list's last element (-1 when it has none).
        var lastElement = -1
        /// The offset of the element before the last (-1 when it has fewer than two).
        var elementBeforeLast = -1
    }

    /// Checks that `bytes` hold exactly `valueCount` well-formed MessagePack values, one after
    /// the other, within the limits; and the content of the root list's elements from index
    /// `contentCheckedFrom` on.
    @discardableResult
    func check(
        _ bytes: UnsafeRawBufferPointer, valueCount: Int = 1, contentCheckedFrom: Int = .max
    ) throws(WAMPSerializationError) -> RootLayout {
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.stackCapacity) {
            (pending) throws(WAMPSerializationError) in
            pending.initialize(repeating: 0)
            return try check(bytes, valueCount: valueCount, contentCheckedFrom: contentCheckedFrom, pending: pending)
        }
    }

    /// `check(_:valueCount:contentCheckedFrom:)` with `pending[d]`: the values still to read
    /// in the container open at level `d` (0: the root), for `d` below `stackCapacity`.
    private func check(
        _ bytes: UnsafeRawBufferPointer, valueCount: Int, contentCheckedFrom: Int,
        pending: UnsafeMutableBufferPointer<Int>
    ) throws(WAMPSerializationError) -> RootLayout {
        let end = bytes.count
        var offset = 0
        var depth = 0
        var elementCount = 0
        pending[0] = valueCount
        var layout = RootLayout()
        var rootIndex = -1
        var checksContent = contentCheckedFrom <= 0
        var mapLevels: UInt64 = 0  // bit d: the container open at level d is a map

        while true {
            guard offset < end else {
                throw error(.truncated, offset, end == 0 ? "empty input" : "input ends where a value should start")
            }
            let start = offset
            let byte = bytes[offset]
            offset += 1
            if depth == 1 {
                rootIndex += 1
                layout.elementBeforeLast = layout.lastElement
                layout.lastElement = start
                if rootIndex >= contentCheckedFrom { checksContent = true }
            }
            if checksContent {
                try checkContent(byte, at: start, isKey: mapLevels & (1 << depth) != 0 && pending[depth] % 2 == 0)
            }
            pending[depth] -= 1

            // Either the number of values a list or map header announces, or the number of
            // bytes that follow the header of a scalar, string, binary or extension.
            var containerCount = -1
            var bodyLength = 0
            switch byte {
            case 0x00 ... 0x7f, 0xc0, 0xc2, 0xc3, 0xe0 ... 0xff:
                break  // fixint, nil, false, true, negative fixint
            case 0x80 ... 0x8f: containerCount = Int(byte & 0x0f) * 2  // fixmap
            case 0x90 ... 0x9f: containerCount = Int(byte & 0x0f)  // fixarray
            case 0xa0 ... 0xbf: bodyLength = Int(byte & 0x1f)  // fixstr
            case 0xc1:
                throw error(.malformed, start, "byte 0xc1 is never used in MessagePack")
            case 0xc4, 0xd9: bodyLength = try readLength(bytes, &offset, 1, start)  // bin 8, str 8
            case 0xc5, 0xda: bodyLength = try readLength(bytes, &offset, 2, start)  // bin 16, str 16
            case 0xc6, 0xdb: bodyLength = try readLength(bytes, &offset, 4, start)  // bin 32, str 32
            case 0xc7: bodyLength = try readLength(bytes, &offset, 1, start) + 1  // ext 8 (+ type)
            case 0xc8: bodyLength = try readLength(bytes, &offset, 2, start) + 1  // ext 16
            case 0xc9: bodyLength = try readLength(bytes, &offset, 4, start) + 1  // ext 32
            case 0xcc, 0xd0: bodyLength = 1  // uint 8, int 8
            case 0xcd, 0xd1: bodyLength = 2
            case 0xca, 0xce, 0xd2: bodyLength = 4  // float 32, uint 32, int 32
            case 0xcb, 0xcf, 0xd3: bodyLength = 8
            case 0xd4: bodyLength = 2  // fixext 1: type + 1
            case 0xd5: bodyLength = 3
            case 0xd6: bodyLength = 5
            case 0xd7: bodyLength = 9
            case 0xd8: bodyLength = 17
            case 0xdc: containerCount = try readLength(bytes, &offset, 2, start)  // array 16
            case 0xdd: containerCount = try readLength(bytes, &offset, 4, start)  // array 32
            case 0xde: containerCount = try readLength(bytes, &offset, 2, start) * 2  // map 16
            case 0xdf: containerCount = try readLength(bytes, &offset, 4, start) * 2  // map 32
            default:
                preconditionFailure("every byte value is handled")
            }

            if containerCount >= 0 {
                // msgpack-c checks its stack before it looks at the count, so an empty list
                // or map counts as a level too.
                guard depth < maxNestingDepth else {
                    throw error(
                        .nestingTooDeep, start,
                        "lists and dicts are nested deeper than \(maxNestingDepth) levels")
                }
                guard containerCount <= end - offset else {
                    let what = byte & 0xf0 == 0x80 || byte == 0xde || byte == 0xdf
                        ? "a map of \(containerCount / 2) entries" : "an array of \(containerCount) elements"
                    throw error(
                        .truncated, start,
                        "the header announces \(what), but only \(end - offset) bytes remain")
                }
                elementCount += containerCount
                guard elementCount <= maxElementCount else {
                    throw error(
                        .tooLarge, start,
                        "lists and dicts hold more than \(maxElementCount) values in total")
                }
                if containerCount > 0 {
                    depth += 1
                    pending[depth] = containerCount
                    let isMap = byte & 0xf0 == 0x80 || byte == 0xde || byte == 0xdf
                    if isMap { mapLevels |= 1 << depth } else { mapLevels &= ~(1 << depth) }
                    continue
                }
            } else {
                guard bodyLength <= end - offset else {
                    throw error(
                        .truncated, start,
                        "the value needs \(bodyLength) more bytes, but only \(end - offset) remain")
                }
                if checksContent, byte & 0xe0 == 0xa0 || (byte >= 0xd9 && byte <= 0xdb) {
                    try checkUTF8(UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + bodyLength]), at: offset)
                }
                offset += bodyLength
            }

            // Close every container whose last value this was.
            while pending[depth] == 0 {
                if depth == 0 {
                    guard offset == end else {
                        throw error(.trailingBytes, offset, "\(end - offset) bytes follow the message")
                    }
                    return layout
                }
                depth -= 1
            }
        }
    }

    /// The content rules for the value that starts with `byte` at `offset`: no extension type,
    /// and a string when it is a map key.
    @inline(__always)
    private func checkContent(_ byte: UInt8, at offset: Int, isKey: Bool) throws(WAMPSerializationError) {
        if (byte >= 0xc7 && byte <= 0xc9) || (byte >= 0xd4 && byte <= 0xd8) {
            throw WAMPSerializationError(
                .unsupportedType, serializer: "msgpack", offset: offset,
                "MessagePack extension types are not used by WAMP (byte 0x\(String(byte, radix: 16)))")
        }
        if isKey, !(byte & 0xe0 == 0xa0 || (byte >= 0xd9 && byte <= 0xdb)) {
            throw WAMPSerializationError(
                .nonStringKey, serializer: "msgpack", offset: offset,
                "a dict key must be a string, got a value starting with byte 0x\(String(byte, radix: 16))")
        }
    }

    /// Checks that the string body `text`, at `offset` in the input, is valid UTF-8.
    private func checkUTF8(_ text: UnsafeRawBufferPointer, at offset: Int) throws(WAMPSerializationError) {
        let utf8 = text.assumingMemoryBound(to: UInt8.self)
        // ASCII, as URIs, keys and most strings are, is valid UTF-8: one pass over the bytes
        // (which the compiler vectorizes) instead of a validation with its set-up per string.
        var bits: UInt8 = 0
        for byte in utf8 { bits |= byte }
        if bits < 0x80 { return }
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) else {
            guard String(validating: utf8, as: UTF8.self) != nil else {
                throw WAMPSerializationError(
                    .invalidUTF8, serializer: "msgpack", offset: offset, "a string of \(text.count) bytes is not valid UTF-8")
            }
            return
        }
        do {
            _ = try UTF8Span(validating: utf8.span)
        } catch {
            throw WAMPSerializationError(
                .invalidUTF8, serializer: "msgpack", offset: offset + error.byteOffsets.lowerBound,
                "a string of \(text.count) bytes is not valid UTF-8 (\(error.kind) at byte \(error.byteOffsets.lowerBound) of the string)")
        }
    }

    /// Reads a big-endian length of `size` bytes at `offset` and moves past it.
    @inline(__always)
    private func readLength(
        _ bytes: UnsafeRawBufferPointer, _ offset: inout Int, _ size: Int, _ start: Int
    ) throws(WAMPSerializationError) -> Int {
        guard size <= bytes.count - offset else {
            throw error(.truncated, start, "input ends inside a length field")
        }
        let value: Int
        switch size {
        case 1: value = Int(bytes[offset])
        case 2: value = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        default: value = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        offset += size
        return value
    }

    private func error(_ code: WAMPSerializationError.Code, _ offset: Int, _ message: String) -> WAMPSerializationError {
        WAMPSerializationError(code, serializer: "msgpack", offset: offset, message)
    }
}
