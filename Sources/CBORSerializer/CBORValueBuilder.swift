internal import Transport

/// Assembles a `WAMPValue` from the items libcbor's streaming decoder reports, one header at
/// a time, and enforces the limits and WAMP's rules as each header arrives.
///
/// Iterative: open lists and dicts are frames on a stack, and the values read inside them
/// wait on one flat value stack (a dict's as key, value, key, ...) until their container
/// closes. Nothing is reserved for the count a header claims, so memory grows only with what
/// is actually read. Refused at the header:
/// - a list or dict nested deeper than `maxNestingDepth` (empty ones count too);
/// - a definite-length list or dict claiming more elements than bytes remain (each takes at
///   least one byte), or more elements in total than `maxElementCount`;
/// - a dict key that is not a text string; a tag; a break code outside an indefinite-length
///   item; a chunk of an indefinite-length string that is not a definite string of the same
///   type.
///
/// Values: integers of every width (unsigned ones above `Int64.max` as
/// `WAMPValue.unsignedInteger(_:)`, negative ones below `Int64.min`, down to -2^64, as the
/// nearest double); float16, float32 and float64 as doubles; `undefined` as null; text
/// strings validated as UTF-8 (an indefinite-length one once its chunks are joined).
struct CBORValueBuilder {
    /// An open list or dict, or an indefinite-length string.
    private struct Frame {
        enum Kind { case list, dict, bytes, text }
        var kind: Kind
        /// Values (for a dict: keys and values) still expected, or `nil` when indefinite.
        var remaining: UInt64?
        /// Where this container's values start on the value stack.
        var start: Int
        /// The offset of the header, for errors.
        var offset: Int
    }

    /// The start of the input, to report where a string's bytes are.
    let base: UnsafeRawPointer
    let maxNestingDepth: Int
    let maxElementCount: Int

    private var frames: [Frame] = []
    /// The values of every open container, innermost last.
    private var values: [WAMPValue] = []
    /// The bytes of the open indefinite-length string (only one can be open: its chunks must
    /// be definite-length strings).
    private var chunks: [UInt8] = []
    /// Lists and dicts open.
    private var depth = 0
    /// Container elements counted so far.
    private var elementCount = 0

    /// The frames and values reserved up front (fewer for shorter input): enough for a
    /// typical message without growing the stacks value by value.
    private static let initialFrameCapacity = 8
    private static let initialValueCapacity = 32

    init(base: UnsafeRawPointer, inputLength: Int, maxNestingDepth: Int, maxElementCount: Int) {
        self.base = base
        self.maxNestingDepth = maxNestingDepth
        self.maxElementCount = maxElementCount
        frames.reserveCapacity(min(Self.initialFrameCapacity, maxNestingDepth, inputLength))
        values.reserveCapacity(min(Self.initialValueCapacity, inputLength))
    }

    /// Takes one item whose header starts at `offset`, with `remaining` input bytes after it.
    /// Returns the whole value once this item completes it, `nil` while it is incomplete.
    mutating func take(_ item: CBORItem, at offset: Int, remaining: Int) throws(WAMPSerializationError) -> WAMPValue? {
        if let top = frames.last {
            if top.kind == .bytes || top.kind == .text {
                return try takeChunk(item, at: offset)
            }
            if top.kind == .dict, (values.count - top.start) % 2 == 0 {
                switch item {
                case .text, .textStart, .breakCode: break
                default: throw error(.nonStringKey, offset, "a dict key must be a text string, got \(Self.name(of: item))")
                }
            }
        }
        let value: WAMPValue
        switch item {
        case .unsigned(let number):
            value = .integer(exactly: number)
        case .negative(let number):
            // The value is -1 - number; below Int64.min only a double comes close.
            value = number <= UInt64(Int64.max) ? .integer(~Int64(number)) : .double(-1 - Double(number))
        case .bytes(let bytes):
            value = .binary([UInt8](bytes))
        case .text(let bytes):
            value = .string(try string(bytes, at: position(of: bytes)))
        case .float(let number):
            value = .double(number)
        case .bool(let bool):
            value = .bool(bool)
        case .null, .undefined:
            value = .null
        case .bytesStart:
            chunks.removeAll(keepingCapacity: true)
            frames.append(Frame(kind: .bytes, remaining: nil, start: 0, offset: offset))
            return nil
        case .textStart:
            chunks.removeAll(keepingCapacity: true)
            frames.append(Frame(kind: .text, remaining: nil, start: 0, offset: offset))
            return nil
        case .arrayStart(let count):
            guard let empty = try open(.list, count: count, at: offset, remaining: remaining) else { return nil }
            value = empty
        case .mapStart(let count):
            guard let empty = try open(.dict, count: count, at: offset, remaining: remaining) else { return nil }
            value = empty
        case .indefiniteArrayStart:
            _ = try open(.list, count: nil, at: offset, remaining: remaining)
            return nil
        case .indefiniteMapStart:
            _ = try open(.dict, count: nil, at: offset, remaining: remaining)
            return nil
        case .breakCode:
            guard let top = frames.last, top.remaining == nil else {
                throw error(.malformed, offset, "a break code outside an indefinite-length array, map or string")
            }
            guard top.kind == .list || (values.count - top.start) % 2 == 0 else {
                throw error(.malformed, offset, "an indefinite-length map ends after a key, without its value")
            }
            value = close()
        case .tag(let tag):
            throw error(.unsupportedType, offset, "CBOR tag \(tag) is not used by WAMP (tags are refused)")
        case .none:
            throw error(.malformed, offset, "libcbor reported no item")
        }
        return try complete(value)
    }

    /// Takes an item inside an indefinite-length string: a chunk, or the break that ends it.
    private mutating func takeChunk(_ item: CBORItem, at offset: Int) throws(WAMPSerializationError) -> WAMPValue? {
        let top = frames[frames.count - 1]
        switch (item, top.kind) {
        case (.bytes(let bytes), .bytes), (.text(let bytes), .text):
            chunks.append(contentsOf: bytes)
            return nil
        case (.breakCode, .bytes):
            frames.removeLast()
            return try complete(.binary(chunks))
        case (.breakCode, .text):
            let joined = try chunks.withUnsafeBytes { bytes in
                Result { () throws(WAMPSerializationError) in try string(bytes, at: nil) }
            }.get()
            frames.removeLast()
            return try complete(.string(joined))
        default:
            let kind = top.kind == .text ? "text string" : "byte string"
            throw error(
                .malformed, offset,
                "an indefinite-length \(kind) (at byte \(top.offset)) may hold only definite-length \(kind)s, got \(Self.name(of: item))")
        }
    }

    /// Opens a list or dict of `count` entries (`nil`: indefinite length). Returns the empty
    /// value for a definite count of 0, which closes at once.
    private mutating func open(
        _ kind: Frame.Kind, count: UInt64?, at offset: Int, remaining: Int
    ) throws(WAMPSerializationError) -> WAMPValue? {
        // An empty list or dict counts as a level too, as in every other plugin.
        guard depth < maxNestingDepth else {
            throw error(.nestingTooDeep, offset, "lists and dicts are nested deeper than \(maxNestingDepth) levels")
        }
        var items: UInt64?
        if let count {
            // Each element takes at least one byte; comparing first keeps 2 * count from overflowing.
            guard count <= UInt64(remaining), kind == .list || count * 2 <= UInt64(remaining) else {
                let what = kind == .dict ? "a map of \(count) entries" : "an array of \(count) elements"
                throw error(.truncated, offset, "the header announces \(what), but only \(remaining) bytes remain")
            }
            let claimed = kind == .dict ? count * 2 : count
            try countElements(Int(claimed), at: offset)
            if claimed == 0 { return kind == .dict ? .dict([:]) : .list([]) }
            items = claimed
        }
        depth += 1
        frames.append(Frame(kind: kind, remaining: items, start: values.count, offset: offset))
        return nil
    }

    private mutating func countElements(_ count: Int, at offset: Int) throws(WAMPSerializationError) {
        elementCount += count
        guard elementCount <= maxElementCount else {
            throw error(.tooLarge, offset, "lists and dicts hold more than \(maxElementCount) values in total")
        }
    }

    /// Puts a finished `value` into the innermost open container, closing every container it
    /// completes. Returns the root value once it is complete.
    private mutating func complete(_ value: WAMPValue) throws(WAMPSerializationError) -> WAMPValue? {
        var value = value
        while let top = frames.last {
            values.append(value)
            guard let remaining = top.remaining else {
                // Indefinite length: counted as it grows, closed by its break code.
                try countElements(1, at: top.offset)
                return nil
            }
            guard remaining == 1 else {
                frames[frames.count - 1].remaining = remaining - 1
                return nil
            }
            value = close()
        }
        return value
    }

    /// Closes the innermost list or dict and returns it.
    private mutating func close() -> WAMPValue {
        let frame = frames.removeLast()
        depth -= 1
        defer { values.removeSubrange(frame.start...) }
        guard frame.kind == .dict else { return .list(Array(values[frame.start...])) }
        var dict = [String: WAMPValue](minimumCapacity: (values.count - frame.start) / 2)
        var index = frame.start
        while index < values.count {
            // Keys were checked to be text strings when they arrived.
            if case .string(let key) = values[index] {
                // A repeated key keeps its last value, as in a dict literal.
                dict[key] = values[index + 1]
            }
            index += 2
        }
        return .dict(dict)
    }

    /// A validated UTF-8 string; `offset`, when known, is where its bytes start in the input
    /// (for the joined chunks of an indefinite-length string, the error gives its header's).
    private func string(_ bytes: UnsafeRawBufferPointer, at offset: Int?) throws(WAMPSerializationError) -> String {
        guard !bytes.isEmpty else { return "" }
        do {
            // UTF8Span validates without the generic overhead of String(validating:as:).
            return String(copying: try UTF8Span(validating: bytes.assumingMemoryBound(to: UInt8.self).span))
        } catch {
            let position = error.byteOffsets.lowerBound
            throw self.error(
                .invalidUTF8, offset.map { $0 + position } ?? frames.last?.offset,
                "a text string of \(bytes.count) bytes is not valid UTF-8 (\(error.kind) at byte \(position) of the string)")
        }
    }

    /// Where `bytes` (which point into the input) start in the input.
    private func position(of bytes: UnsafeRawBufferPointer) -> Int? {
        bytes.baseAddress.map { $0 - base }
    }

    private func error(_ code: WAMPSerializationError.Code, _ offset: Int?, _ message: String) -> WAMPSerializationError {
        WAMPSerializationError(code, serializer: "cbor", offset: offset, message)
    }

    private static func name(of item: CBORItem) -> String {
        switch item {
        case .none: return "nothing"
        case .unsigned, .negative: return "an integer"
        case .bytes, .bytesStart: return "a byte string"
        case .text, .textStart: return "a text string"
        case .arrayStart, .indefiniteArrayStart: return "an array"
        case .mapStart, .indefiniteMapStart: return "a map"
        case .tag(let tag): return "tag \(tag)"
        case .float: return "a float"
        case .bool: return "a boolean"
        case .null: return "null"
        case .undefined: return "undefined"
        case .breakCode: return "a break code"
        }
    }
}
