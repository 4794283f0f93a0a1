internal import CCBOR

/// One CBOR data item header, as libcbor's streaming decoder (`cbor_stream_decode`) reports
/// it: a scalar, a definite-length string (with its bytes, pointing into the input), or the
/// start of a container or an indefinite-length string (whose content follows as further
/// items).
///
/// `cbor_stream_decode` decodes exactly one header per call and reports it through one of
/// its callbacks; ``callbacks`` stores it in the `CBORItem` that the call's context points
/// to. Nothing is allocated: string bytes stay in the input.
enum CBORItem {
    /// No callback was called (the decoder needed more bytes or failed).
    case none
    /// An unsigned integer (major type 0).
    case unsigned(UInt64)
    /// A negative integer (major type 1) of value `-1 - n`.
    case negative(UInt64)
    /// A definite-length byte string (major type 2).
    case bytes(UnsafeRawBufferPointer)
    /// A definite-length text string (major type 3), not yet validated as UTF-8.
    case text(UnsafeRawBufferPointer)
    /// The start of an indefinite-length byte string (`0x5f`).
    case bytesStart
    /// The start of an indefinite-length text string (`0x7f`).
    case textStart
    /// A definite-length array of `count` elements, as claimed by the header (major type 4).
    case arrayStart(UInt64)
    /// The start of an indefinite-length array (`0x9f`).
    case indefiniteArrayStart
    /// A definite-length map of `count` entries, as claimed by the header (major type 5).
    case mapStart(UInt64)
    /// The start of an indefinite-length map (`0xbf`).
    case indefiniteMapStart
    /// A tag (major type 6); the tagged item follows.
    case tag(UInt64)
    /// A float16, float32 or float64, widened to `Double`.
    case float(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// `undefined`.
    case undefined
    /// The break code (`0xff`) that ends an indefinite-length item.
    case breakCode

    /// libcbor's callbacks, each storing its item in the `CBORItem` that the context points to.
    /// (A C struct of `@convention(c)` function pointers: Sendable and free of state.)
    static let callbacks: cbor_callbacks = {
        var callbacks = cbor_callbacks()
        callbacks.uint8 = { context, value in store(.unsigned(UInt64(value)), context) }
        callbacks.uint16 = { context, value in store(.unsigned(UInt64(value)), context) }
        callbacks.uint32 = { context, value in store(.unsigned(UInt64(value)), context) }
        callbacks.uint64 = { context, value in store(.unsigned(value), context) }
        callbacks.negint8 = { context, value in store(.negative(UInt64(value)), context) }
        callbacks.negint16 = { context, value in store(.negative(UInt64(value)), context) }
        callbacks.negint32 = { context, value in store(.negative(UInt64(value)), context) }
        callbacks.negint64 = { context, value in store(.negative(value), context) }
        // libcbor's header comments swap "definite" and "indefinite" here: `byte_string` and
        // `string` get a definite string's bytes, the `_start` callbacks mark `0x5f` and `0x7f`.
        callbacks.byte_string = { context, data, length in store(.bytes(buffer(data, length)), context) }
        callbacks.string = { context, data, length in store(.text(buffer(data, length)), context) }
        callbacks.byte_string_start = { context in store(.bytesStart, context) }
        callbacks.string_start = { context in store(.textStart, context) }
        // libcbor's `size_t` arrives as `Int`: a count of 2^63 or more must not trap as negative.
        callbacks.array_start = { context, count in store(.arrayStart(UInt64(UInt(bitPattern: count))), context) }
        callbacks.indef_array_start = { context in store(.indefiniteArrayStart, context) }
        callbacks.map_start = { context, count in store(.mapStart(UInt64(UInt(bitPattern: count))), context) }
        callbacks.indef_map_start = { context in store(.indefiniteMapStart, context) }
        callbacks.tag = { context, value in store(.tag(value), context) }
        callbacks.float2 = { context, value in store(.float(Double(value)), context) }
        callbacks.float4 = { context, value in store(.float(Double(value)), context) }
        callbacks.float8 = { context, value in store(.float(value), context) }
        callbacks.boolean = { context, value in store(.bool(value), context) }
        callbacks.null = { context in store(.null, context) }
        callbacks.undefined = { context in store(.undefined, context) }
        callbacks.indef_break = { context in store(.breakCode, context) }
        return callbacks
    }()

    @inline(__always)
    private static func store(_ item: CBORItem, _ context: UnsafeMutableRawPointer?) {
        context?.assumingMemoryBound(to: CBORItem.self).pointee = item
    }

    @inline(__always)
    private static func buffer(_ data: UnsafePointer<UInt8>?, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: length == 0 ? nil : data, count: length)
    }
}
