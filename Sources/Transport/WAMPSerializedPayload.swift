public import NIOCore

/// A payload's `Args` and `Kw` kept as the bytes they arrived in, decoded only when read.
///
/// A serializer that supports it (MessagePack) hands out a CALL, RESULT, INVOCATION, YIELD,
/// PUBLISH, EVENT or ERROR whose payload is ``WAMPPayload/serialized(_:)``: the trailing
/// elements stay a slice of the received message. ``WAMPPayload/args``,
/// ``WAMPPayload/kwargs`` and the `decode...` methods decode it when called; a serializer of
/// the same format writes the bytes back as they are, so that a router forwards a payload
/// without ever decoding it, and one of another format decodes and re-encodes it.
///
/// The serializer that creates one has validated the bytes completely (structure, limits,
/// UTF-8, dict keys), so decoding them cannot fail.
public struct WAMPSerializedPayload: Sendable {
    /// The fields, behind one reference: ``WAMPPayload`` and every message stay as small as
    /// they were without this case (a `ByteBuffer` and an existential inline would make every
    /// copy of every message longer).
    private final class Storage: Sendable {
        let bytes: ByteBuffer
        let hasKeywords: Bool
        let serializer: any WAMPSerializer

        init(bytes: ByteBuffer, hasKeywords: Bool, serializer: any WAMPSerializer) {
            self.bytes = bytes
            self.hasKeywords = hasKeywords
            self.serializer = serializer
        }
    }

    private let storage: Storage

    /// The serialized `Args` list, followed by the `Kw` dict when ``hasKeywords``.
    public var bytes: ByteBuffer { storage.bytes }
    /// Whether ``bytes`` holds `Kw` after `Args`.
    public var hasKeywords: Bool { storage.hasKeywords }
    /// The serializer that wrote ``bytes``, and decodes them.
    public var serializer: any WAMPSerializer { storage.serializer }

    /// Wraps validated serialized arguments.
    ///
    /// - Parameters:
    /// A slice that would keep much more memory alive than its own length (a small payload
    /// read together with many other messages holds on to the whole read, often 64 KiB, for as
    /// long as it waits in a queue) is copied: what a kept payload pins is at most twice its
    /// length, or its length plus 4 KiB.
    ///
    /// - Parameters:
    ///   - bytes: `Args` (a list), then `Kw` (a dict) when `hasKeywords`, in `serializer`'s
    ///     format, validated as a message from a peer would be; typically a slice of the
    ///     received buffer.
    ///   - hasKeywords: Whether `Kw` follows `Args`.
    ///   - serializer: The serializer of `bytes`.
    public init(bytes: ByteBuffer, hasKeywords: Bool, serializer: any WAMPSerializer) {
        storage = Storage(bytes: Self.unpinned(bytes), hasKeywords: hasKeywords, serializer: serializer)
    }

    /// Wraps validated serialized arguments as ``init(bytes:hasKeywords:serializer:)`` does,
    /// but keeps `bytes` as they are when `keepingSlice`, however much memory they share: for a
    /// holder that passes the message on at once, and calls ``unpinned()`` on one it keeps.
    package init(bytes: ByteBuffer, hasKeywords: Bool, serializer: any WAMPSerializer, keepingSlice: Bool) {
        storage = Storage(
            bytes: keepingSlice ? bytes : Self.unpinned(bytes), hasKeywords: hasKeywords, serializer: serializer)
    }

    /// Whether the bytes share much more memory than their length: more than twice it, and
    /// more than 4 KiB beyond it (only with ``init(bytes:hasKeywords:serializer:keepingSlice:)``).
    package var pinsMemory: Bool { Self.pins(storage.bytes) }

    /// The payload with its bytes copied when they pin memory (``pinsMemory``); itself
    /// otherwise.
    package func unpinned() -> WAMPSerializedPayload {
        pinsMemory ? WAMPSerializedPayload(bytes: bytes, hasKeywords: hasKeywords, serializer: serializer) : self
    }

    private static func pins(_ bytes: ByteBuffer) -> Bool {
        let extra = bytes.storageCapacity - bytes.readableBytes
        return extra > 4096 && extra > bytes.readableBytes
    }

    /// `bytes`, copied when the storage it shares is much larger than itself.
    private static func unpinned(_ bytes: ByteBuffer) -> ByteBuffer {
        guard pins(bytes) else { return bytes }
        var copy = ByteBufferAllocator().buffer(capacity: bytes.readableBytes)
        copy.writeImmutableBuffer(bytes)
        return copy
    }

    /// The number of serialized elements: 1 (`Args`) or 2 (`Args` and `Kw`).
    public var elementCount: Int { hasKeywords ? 2 : 1 }

    /// Decodes the arguments.
    ///
    /// - Throws: the serializer's error for bytes it cannot decode, and ``WAMPProtocolError``
    ///   when `Args` is not a list or `Kw` not a dict; neither happens for a payload made by a
    ///   serializer of this package.
    public func decode() throws -> WAMPPayload {
        let values = try serializer.deserializeValues(bytes, count: elementCount)
        guard values.count == elementCount, case .list(let args) = values[0] else {
            throw WAMPProtocolError(.wrongElementType, field: "Arguments", "serialized arguments are not a list")
        }
        guard hasKeywords else { return .arguments(args, [:]) }
        guard case .dict(let kwargs) = values[1] else {
            throw WAMPProtocolError(.wrongElementType, field: "ArgumentsKw", "serialized keyword arguments are not a dict")
        }
        return .arguments(args, kwargs)
    }
}
