import NIOCore
public import Testing
public import Transport

/// The `ByteBuffer` contract every serializer plugin keeps, checked the same way for each:
/// `serialize` appends after the writer index and leaves the buffer as it was when it throws;
/// `deserialize` reads the readable bytes only; one serializer works from many tasks at once.
/// Failures are recorded at the caller's source location.
public enum BufferContract {
    /// GOODBYE serialized after two bytes already in the buffer: they stay, the message
    /// follows as `goodbyeHex`, and it decodes from there.
    public static func serializeAppends(
        _ serializer: some WAMPSerializer, goodbyeHex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var buffer = ByteBuffer(bytes: [0x01, 0x02])
        try serializer.serialize(.goodbye(.init()), into: &buffer)
        #expect(hex(buffer.readableBytesView) == "0102" + goodbyeHex, sourceLocation: sourceLocation)
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try serializer.deserialize(buffer) == .goodbye(.init()), sourceLocation: sourceLocation)
    }

    /// A PUBLISH with a 100,000-byte passthru payload, serialized after two bytes into
    /// buffers of several capacities: written whole, `headerHex` (everything before the
    /// payload's bytes) then the payload, and it decodes back.
    public static func largeMessageIsWrittenWhole(
        _ serializer: some WAMPSerializer, headerHex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let payload = (0 ..< 100_000).map { UInt8(truncatingIfNeeded: $0) }
        let message = WAMPMessage.publish(.init(request: 1, topic: "t", payload: .transparent(payload)))
        let headerLength = headerHex.count / 2
        for initialCapacity in [0, 16, 512, 100_020, 200_000] {
            var buffer = ByteBufferAllocator().buffer(capacity: initialCapacity)
            buffer.writeBytes([0xAB, 0xCD])
            try serializer.serialize(message, into: &buffer)
            let written = Array(buffer.readableBytesView)
            #expect(hex(written.prefix(2 + headerLength)) == "abcd" + headerHex, "capacity \(initialCapacity)", sourceLocation: sourceLocation)
            let bodyMatches = written.dropFirst(2 + headerLength).elementsEqual(payload)
            #expect(bodyMatches, "capacity \(initialCapacity)", sourceLocation: sourceLocation)
            buffer.moveReaderIndex(forwardBy: 2)
            #expect(try serializer.deserialize(buffer) == message, sourceLocation: sourceLocation)
        }
    }

    /// `message` (which must not serialize with `serializer`, e.g. nested too deeply) throws
    /// and leaves the buffer as it was; returns the error's code.
    public static func failedSerializeLeavesBuffer(
        _ serializer: some WAMPSerializer, _ message: WAMPMessage, sourceLocation: SourceLocation = #_sourceLocation
    ) -> WAMPSerializationError.Code? {
        var buffer = ByteBuffer(bytes: [0xAA])
        let error = #expect(throws: WAMPSerializationError.self, sourceLocation: sourceLocation) {
            try serializer.serialize(message, into: &buffer)
        }
        #expect(Array(buffer.readableBytesView) == [0xAA], "a failed serialize leaves the buffer as it was", sourceLocation: sourceLocation)
        return error?.code
    }

    /// The message in `messageHex` decodes from a slice of a buffer with other bytes around it.
    public static func readsReadableBytesOnly(
        _ serializer: some WAMPSerializer, messageHex: String, _ expected: WAMPMessage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var buffer = ByteBuffer(bytes: bytes("ffff" + messageHex + "eeee"))
        buffer.moveReaderIndex(forwardBy: 2)
        let slice = buffer.getSlice(at: buffer.readerIndex, length: messageHex.count / 2)!
        #expect(try serializer.deserialize(slice) == expected, sourceLocation: sourceLocation)
    }

    /// One serializer decodes and encodes from four tasks at once, 500 round trips each.
    public static func concurrentUse(
        _ serializer: some WAMPSerializer, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let message = WAMPMessage.event(.init(
            subscription: 9_823_526, publication: 112_233_445_566, details: ["topic": "a.b"],
            payload: .arguments(["Hello", 1, 2.5, ["x": true]], ["k": .binary([1, 2, 3])])))
        let encoded: [UInt8] = try serializer.serialize(message)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0 ..< 4 {
                group.addTask {
                    for _ in 0 ..< 500 {
                        let again: [UInt8] = try serializer.serialize(try serializer.deserialize(encoded))
                        guard try serializer.deserialize(again) == message else { return false }
                    }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [true, true, true, true], sourceLocation: sourceLocation)
    }
}
