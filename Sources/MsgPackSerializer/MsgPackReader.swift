internal import CMsgPack
internal import Transport

/// Decodes one MessagePack value with msgpack-c and converts it to a `WAMPValue`.
///
/// The input is read in place (`msgpack_unpack_next` on the caller's bytes; msgpack-c's
/// `str`, `bin` and `ext` objects point into them). The `msgpack_unpacked` lives on the stack;
/// msgpack-c creates its memory zone lazily, only when the value holds a list or map (with
/// its default 8 KiB chunks), and the zone is freed before this call returns. Nothing is
/// shared between calls, so readers may run on many threads at once.
struct MsgPackReader {
    let maxNestingDepth: Int
    let maxInputLength: Int
    let maxElementCount: Int

    /// Decodes exactly one value from all of `bytes`.
    func read(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> WAMPValue {
        guard bytes.count <= maxInputLength else {
            throw WAMPSerializationError(
                .tooLarge, serializer: "msgpack",
                "the input is \(bytes.count) bytes, more than the limit of \(maxInputLength)")
        }
        // Structure first: msgpack-c must never see a hostile count or nesting it cannot parse.
        try MsgPackStructureCheck(maxNestingDepth: maxNestingDepth, maxElementCount: maxElementCount)
            .check(bytes)
        guard let base = bytes.baseAddress else {
            // Unreachable: the check refuses empty input.
            throw WAMPSerializationError(.truncated, serializer: "msgpack", offset: 0, "empty input")
        }

        var unpacked = msgpack_unpacked()
        msgpack_unpacked_init(&unpacked)
        defer { msgpack_unpacked_destroy(&unpacked) }
        var offset = 0
        let result = msgpack_unpack_next(
            &unpacked, base.assumingMemoryBound(to: CChar.self), bytes.count, &offset)

        // After the structural check only SUCCESS with every byte consumed is expected; the
        // other outcomes are mapped anyway, in case msgpack-c disagrees with the check.
        switch result {
        case MSGPACK_UNPACK_SUCCESS:
            guard offset == bytes.count else {
                throw WAMPSerializationError(
                    .trailingBytes, serializer: "msgpack", offset: offset,
                    "\(bytes.count - offset) bytes follow the message")
            }
        case MSGPACK_UNPACK_CONTINUE:
            throw WAMPSerializationError(
                .truncated, serializer: "msgpack", offset: offset, "msgpack-c: the input ends inside a value")
        case MSGPACK_UNPACK_NOMEM_ERROR:
            throw WAMPSerializationError(
                .tooLarge, serializer: "msgpack", offset: offset,
                "msgpack-c could not allocate memory for the value (or it is nested too deeply)")
        default:
            throw WAMPSerializationError(
                .malformed, serializer: "msgpack", offset: offset,
                "msgpack-c: parse error (\(result.rawValue))")
        }

        return try MsgPackObjectConverter(base: base).value(unpacked.data)
    }
}

/// Converts msgpack-c's object tree to `WAMPValue`, copying strings and bytes out
/// of the input. The structural check has bounded the depth, so recursion is safe.
struct MsgPackObjectConverter {
    /// The start of the input, to report offsets of strings (msgpack-c points into the input).
    let base: UnsafeRawPointer

    func value(_ object: msgpack_object) throws(WAMPSerializationError) -> WAMPValue {
        switch object.type {
        case MSGPACK_OBJECT_NIL:
            return .null
        case MSGPACK_OBJECT_BOOLEAN:
            return .bool(object.via.boolean)
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            return .integer(exactly: object.via.u64)
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return .integer(object.via.i64)
        case MSGPACK_OBJECT_FLOAT32, MSGPACK_OBJECT_FLOAT64:
            return .double(object.via.f64)
        case MSGPACK_OBJECT_STR:
            return .string(try string(object.via.str))
        case MSGPACK_OBJECT_BIN:
            let bin = object.via.bin
            return .binary(bin.size == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: bin.ptr, count: Int(bin.size))))
        case MSGPACK_OBJECT_ARRAY:
            let array = object.via.array
            let elements = UnsafeBufferPointer(start: array.ptr, count: array.ptr == nil ? 0 : Int(array.size))
            var list: [WAMPValue] = []
            list.reserveCapacity(elements.count)
            for element in elements {
                list.append(try value(element))
            }
            return .list(list)
        case MSGPACK_OBJECT_MAP:
            let map = object.via.map
            let entries = UnsafeBufferPointer(start: map.ptr, count: map.ptr == nil ? 0 : Int(map.size))
            var dict = [String: WAMPValue](minimumCapacity: entries.count)
            for entry in entries {
                guard entry.key.type == MSGPACK_OBJECT_STR else {
                    throw WAMPSerializationError(
                        .nonStringKey, serializer: "msgpack",
                        "a dict key must be a string, got \(Self.typeName(entry.key.type))")
                }
                // A repeated key keeps its last value, as in a dict literal.
                dict[try string(entry.key.via.str)] = try value(entry.val)
            }
            return .dict(dict)
        case MSGPACK_OBJECT_EXT:
            let ext = object.via.ext
            throw WAMPSerializationError(
                .unsupportedType, serializer: "msgpack", offset: offset(of: ext.ptr),
                "MessagePack extension type \(ext.type) (\(ext.size) bytes) is not used by WAMP")
        default:
            throw WAMPSerializationError(
                .unsupportedType, serializer: "msgpack", "unknown msgpack-c object type \(object.type.rawValue)")
        }
    }

    /// A validated UTF-8 string.
    @inline(__always)
    private func string(_ str: msgpack_object_str) throws(WAMPSerializationError) -> String {
        guard str.size > 0, let pointer = str.ptr else { return "" }
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: Int(str.size))
        // UTF8Span validates without the generic overhead of String(validating:as:) and says
        // where the input went wrong; Apple's platforms have it from their 26 releases on.
        guard #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) else {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw WAMPSerializationError(
                    .invalidUTF8, serializer: "msgpack", offset: offset(of: pointer),
                    "a string of \(str.size) bytes is not valid UTF-8")
            }
            return text
        }
        do {
            return String(copying: try UTF8Span(validating: bytes.span))
        } catch {
            throw WAMPSerializationError(
                .invalidUTF8, serializer: "msgpack", offset: offset(of: pointer).map { $0 + error.byteOffsets.lowerBound },
                "a string of \(str.size) bytes is not valid UTF-8 (\(error.kind) at byte \(error.byteOffsets.lowerBound) of the string)")
        }
    }

    private func offset(of pointer: UnsafePointer<CChar>?) -> Int? {
        guard let pointer else { return nil }
        return UnsafeRawPointer(pointer) - base
    }

    private static func typeName(_ type: msgpack_object_type) -> String {
        switch type {
        case MSGPACK_OBJECT_NIL: return "nil"
        case MSGPACK_OBJECT_BOOLEAN: return "bool"
        case MSGPACK_OBJECT_POSITIVE_INTEGER, MSGPACK_OBJECT_NEGATIVE_INTEGER: return "integer"
        case MSGPACK_OBJECT_FLOAT32, MSGPACK_OBJECT_FLOAT64: return "float"
        case MSGPACK_OBJECT_BIN: return "bin"
        case MSGPACK_OBJECT_ARRAY: return "array"
        case MSGPACK_OBJECT_MAP: return "map"
        case MSGPACK_OBJECT_EXT: return "ext"
        default: return "type \(type.rawValue)"
        }
    }
}
