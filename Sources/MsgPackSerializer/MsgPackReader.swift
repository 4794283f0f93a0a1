internal import CMsgPack
internal import Transport

/// Decodes one MessagePack value with msgpack-c and converts it to a `WAMPValue`.
///
/// The input is read in place (`msgpack_unpack` on the caller's bytes; msgpack-c's `str`,
/// `bin` and `ext` objects point into them). Each read has one memory zone for msgpack-c's
/// lists and maps, on the stack, with a first chunk small enough for the allocator's
/// per-thread cache (``zoneChunkSize``); it grows when a value needs more and is freed before
/// the read returns. Nothing is shared between calls, so readers may run on many threads at
/// once.
struct MsgPackReader {
    let maxNestingDepth: Int
    let maxInputLength: Int
    let maxElementCount: Int
    /// The shortest message whose payload ``readMessage(_:)`` leaves serialized.
    var serializedPayloadThreshold = 0

    /// A message read by ``readMessage(_:)``.
    enum Message {
        /// The whole message, decoded.
        case decoded(WAMPValue)
        /// A message whose last one or two elements are `Args` (a list) and `Kw` (a map), left
        /// undecoded and validated: the elements before them, and where `Args` starts.
        case head([WAMPValue], argumentsOffset: Int, hasKeywords: Bool)
    }

    /// Decodes exactly one value from all of `bytes`.
    func read(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> WAMPValue {
        try checkLength(bytes)
        // Structure first: msgpack-c must never see a hostile count or nesting it cannot parse.
        try structureCheck.check(bytes)
        return try unpackWhole(bytes)
    }

    /// Decodes `count` values that follow one another in all of `bytes`.
    func readValues(_ bytes: UnsafeRawBufferPointer, count: Int) throws(WAMPSerializationError) -> [WAMPValue] {
        try checkLength(bytes)
        try structureCheck.check(bytes, valueCount: count)
        var offset = 0
        return try unpackValues(bytes, count: count, offset: &offset, checkingEnd: true)
    }

    /// Reads one message: a message whose type carries a payload, with `Args` (and `Kw`)
    /// last, has only its head decoded, and its payload validated; any other is decoded whole.
    func readMessage(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> Message {
        try checkLength(bytes)
        guard bytes.count >= serializedPayloadThreshold,
              let (headerLength, count, argumentsIndex) = Self.payloadShape(bytes)
        else {
            try structureCheck.check(bytes)
            return .decoded(try unpackWhole(bytes))
        }
        let layout = try structureCheck.check(bytes, contentCheckedFrom: argumentsIndex)
        let hasKeywords = count == argumentsIndex + 2
        let argumentsOffset = hasKeywords ? layout.elementBeforeLast : layout.lastElement
        guard Self.isList(bytes[argumentsOffset]), !hasKeywords || Self.isMap(bytes[layout.lastElement]) else {
            // Passthru (a binary), or a wrong type that decoding the message will report.
            return .decoded(try unpackWhole(bytes))
        }
        var offset = headerLength
        let head = try unpackValues(bytes, count: argumentsIndex, offset: &offset, checkingEnd: false)
        return .head(head, argumentsOffset: argumentsOffset, hasKeywords: hasKeywords)
    }

    /// For a list whose first element is the type code of a message with a payload and whose
    /// length reaches that payload: the list header's length, the list's length and the index
    /// of `Args`.
    private static func payloadShape(_ bytes: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
        guard let first = bytes.first else { return nil }
        let headerLength: Int
        let count: Int
        switch first {
        case 0x90 ... 0x9f: (headerLength, count) = (1, Int(first & 0x0f))
        case 0xdc where bytes.count >= 3:
            (headerLength, count) = (3, Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt16.self))))
        default: return nil  // 0xdd: a message of 65536 elements or more is not one with a payload
        }
        guard headerLength < bytes.count, bytes[headerLength] <= 0x7f,
              let argumentsIndex = WAMPMessageType(rawValue: Int64(bytes[headerLength])).payloadIndex,
              count == argumentsIndex + 1 || count == argumentsIndex + 2
        else { return nil }
        return (headerLength, count, argumentsIndex)
    }

    private static func isList(_ byte: UInt8) -> Bool { byte & 0xf0 == 0x90 || byte == 0xdc || byte == 0xdd }
    private static func isMap(_ byte: UInt8) -> Bool { byte & 0xf0 == 0x80 || byte == 0xde || byte == 0xdf }

    private var structureCheck: MsgPackStructureCheck {
        MsgPackStructureCheck(maxNestingDepth: maxNestingDepth, maxElementCount: maxElementCount)
    }

    private func checkLength(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) {
        guard bytes.count <= maxInputLength else {
            throw WAMPSerializationError(
                .tooLarge, serializer: "msgpack",
                "the input is \(bytes.count) bytes, more than the limit of \(maxInputLength)")
        }
    }

    /// Unpacks the one value that `bytes` hold with msgpack-c and converts it. The structural
    /// check must have passed.
    private func unpackWhole(_ bytes: UnsafeRawBufferPointer) throws(WAMPSerializationError) -> WAMPValue {
        guard let base = bytes.baseAddress else {
            // Unreachable: the check refuses empty input.
            throw WAMPSerializationError(.truncated, serializer: "msgpack", offset: 0, "empty input")
        }
        return try Self.withZone { zone throws(WAMPSerializationError) in
            var offset = 0
            let object = try unpackNext(zone, base, bytes.count, &offset)
            guard offset == bytes.count else {
                throw WAMPSerializationError(
                    .trailingBytes, serializer: "msgpack", offset: offset, "\(bytes.count - offset) bytes follow the message")
            }
            return try MsgPackObjectConverter(base: base).value(object)
        }
    }

    /// Unpacks `count` values with msgpack-c from `offset` on (which it moves past them) and
    /// converts them; with `checkingEnd`, they must end where `bytes` end. The structural check
    /// must have passed.
    private func unpackValues(
        _ bytes: UnsafeRawBufferPointer, count: Int, offset: inout Int, checkingEnd: Bool
    ) throws(WAMPSerializationError) -> [WAMPValue] {
        guard let base = bytes.baseAddress else {
            // Unreachable: the check refuses empty input.
            throw WAMPSerializationError(.truncated, serializer: "msgpack", offset: 0, "empty input")
        }
        return try Self.withZone { zone throws(WAMPSerializationError) in
            var values: [WAMPValue] = []
            values.reserveCapacity(count)
            let converter = MsgPackObjectConverter(base: base)
            for _ in 0 ..< count {
                values.append(try converter.value(try unpackNext(zone, base, bytes.count, &offset)))
            }
            if checkingEnd, offset != bytes.count {
                throw WAMPSerializationError(
                    .trailingBytes, serializer: "msgpack", offset: offset,
                    "\(bytes.count - offset) bytes follow the message")
            }
            return values
        }
    }

    /// The size of the first chunk of a read's zone: with msgpack-c's chunk header, 1 KiB, which
    /// glibc's allocator serves from its per-thread cache. msgpack-c's default (8 KiB) is not:
    /// `msgpack_unpack_next` made a zone of that size, and freed it, for every value holding a
    /// list or a map (every message's Details or Options), about 1,200 instructions each.
    static let zoneChunkSize = 1024 - MemoryLayout<UnsafeRawPointer>.size

    /// Runs `body` with a new zone, freed when it returns: what msgpack-c unpacks into it lives
    /// until then.
    private static func withZone<T>(
        _ body: (UnsafeMutablePointer<msgpack_zone>) throws(WAMPSerializationError) -> T
    ) throws(WAMPSerializationError) -> T {
        var zone = msgpack_zone()
        guard msgpack_zone_init(&zone, zoneChunkSize) else {
            throw WAMPSerializationError(.tooLarge, serializer: "msgpack", "msgpack-c could not allocate its memory zone")
        }
        defer { msgpack_zone_destroy(&zone) }
        return try body(&zone)
    }

    /// One `msgpack_unpack` into `zone`, its failures mapped to errors.
    private func unpackNext(
        _ zone: UnsafeMutablePointer<msgpack_zone>, _ base: UnsafeRawPointer, _ length: Int, _ offset: inout Int
    ) throws(WAMPSerializationError) -> msgpack_object {
        var object = msgpack_object()
        let result = msgpack_unpack(base.assumingMemoryBound(to: CChar.self), length, &offset, zone, &object)

        // After the structural check only SUCCESS is expected; the other outcomes are mapped
        // anyway, in case msgpack-c disagrees with the check.
        switch result {
        case MSGPACK_UNPACK_SUCCESS, MSGPACK_UNPACK_EXTRA_BYTES:
            return object
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
