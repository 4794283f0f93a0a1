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

    /// Checks that `bytes` hold exactly one well-formed MessagePack value within the limits.
    func check(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) {
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.stackCapacity) {
            (pending) throws(WAMPSerializationError) in
            pending.initialize(repeating: 0)
            try check(bytes, pending: pending)
        }
    }

    /// `check(_:)` with `pending[d]`: the values still to read in the container open at level
    /// `d` (0: the root), for `d` below `stackCapacity`.
    private func check(
        _ bytes: UnsafeRawBufferPointer, pending: UnsafeMutableBufferPointer<Int>
    ) throws(WAMPSerializationError) {
        let end = bytes.count
        var offset = 0
        var depth = 0
        var elementCount = 0
        pending[0] = 1

        while true {
            guard offset < end else {
                throw error(.truncated, offset, end == 0 ? "empty input" : "input ends where a value should start")
            }
            let start = offset
            let byte = bytes[offset]
            offset += 1
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
                    continue
                }
            } else {
                guard bodyLength <= end - offset else {
                    throw error(
                        .truncated, start,
                        "the value needs \(bodyLength) more bytes, but only \(end - offset) remain")
                }
                offset += bodyLength
            }

            // Close every container whose last value this was.
            while pending[depth] == 0 {
                if depth == 0 {
                    guard offset == end else {
                        throw error(.trailingBytes, offset, "\(end - offset) bytes follow the message")
                    }
                    return
                }
                depth -= 1
            }
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
