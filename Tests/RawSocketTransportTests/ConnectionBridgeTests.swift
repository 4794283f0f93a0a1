import NIOCore
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

/// How a connection hands received messages to its consumer and takes messages to send: order
/// across batches, the end and errors after what was received, cancellation, sends after a
/// close, and a connection dropped without a close.
@Suite("Connection bridge", .scaledTimeLimit(minutes: 1))
struct ConnectionBridgeTests {
    /// An EVENT numbered `index`.
    static func event(_ index: Int) -> WAMPMessage {
        .event(.init(subscription: 1, publication: WAMPID(index + 1), payload: .arguments([.integer(Int64(index))], [:])))
    }

    @Test(
        "every message the server sent before closing arrives, in order, then the sequence ends; on the event loop or off it",
        arguments: [true, false])
    func everythingBeforeTheCloseArrivesInOrder(onEventLoop: Bool) async throws {
        let count = 5000
        try await withServer(handler: { connection in
            for index in 0 ..< count { try await connection.send(Self.event(index)) }
            try await connection.close()
        }) { _, endpoint in
            try await withTimeout(20, "receive everything") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                let received = try await withTaskExecutorPreference(onEventLoop ? connection.executor : nil) {
                    var received = 0
                    for try await message in connection.inbound {
                        #expect(message == Self.event(received))
                        received += 1
                    }
                    return received
                }
                #expect(received == count)
            }
        }
    }

    @Test("a consumer that takes messages slowly gets them all, in order: reading pauses and resumes")
    func slowConsumerGetsEverything() async throws {
        let count = 3000
        let configuration = RawSocketConfiguration { $0.maxBufferedMessages = 8 }
        try await withServer(handler: { connection in
            for index in 0 ..< count { try await connection.send(Self.event(index)) }
            try await connection.close()
        }) { _, endpoint in
            try await withTimeout(30, "slow consumer") {
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [msgPackSerializer], configuration: configuration)
                var received = 0
                for try await message in connection.inbound {
                    #expect(message == Self.event(received))
                    received += 1
                    if received % 500 == 0 { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(received == count)
            }
        }
    }

    @Test("cancelling the task that waits for a message ends the sequence with nil")
    func cancellingTheConsumerEndsTheSequence() async throws {
        try await withEchoServer { _, endpoint in
            try await withTimeout(10, "cancel the consumer") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                let consumer = Task {
                    var inbound = connection.inbound.makeAsyncIterator()
                    return try await inbound.next()
                }
                try await Task.sleep(for: .milliseconds(50))
                consumer.cancel()
                #expect(try await consumer.value == nil)
                try await connection.close()
            }
        }
    }

    @Test("a send after close() throws connectionClosed")
    func sendAfterCloseThrowsConnectionClosed() async throws {
        try await withEchoServer { _, endpoint in
            try await withTimeout(10, "send after close") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                try await connection.close()
                await expectErrorAsync(.connectionClosed) { try await connection.send(sampleMessages[0]) }
                await expectErrorAsync(.connectionClosed) {
                    try await withTaskExecutorPreference(connection.executor) { try await connection.send(sampleMessages[0]) }
                }
            }
        }
    }

    @Test(
        "a message that cannot be sent (over the peer's limit, or not serializable) throws and leaves no bytes behind: the messages around it arrive whole; sent on the event loop (written in place) or off it",
        arguments: [true, false], ["json", "msgpack"])
    func aRefusedMessageLeavesNoBytes(onEventLoop: Bool, serializerName: String) async throws {
        let small = RawSocketConfiguration {
            $0.maxReceiveLength = 512
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
        }
        var nested = WAMPValue.integer(1)
        for _ in 0 ..< 1000 { nested = .list([nested]) }
        let tooLarge = WAMPMessage.publish(.init(
            request: 1, topic: "com.example.large", payload: .arguments([.string(String(repeating: "x", count: 600))], [:])))
        let notSerializable = WAMPMessage.publish(.init(request: 2, topic: "com.example.deep", payload: .arguments([nested], [:])))
        try await withEchoServer(configuration: small) { _, endpoint in
            try await withTimeout(20, "refused messages") {
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [serializer(named: serializerName)])
                try await withTaskExecutorPreference(onEventLoop ? connection.executor : nil) {
                    try await connection.send(Self.event(0))
                    await expectErrorAsync(.messageTooLarge) { try await connection.send(tooLarge) }
                    await #expect(throws: WAMPSerializationError.self) { try await connection.send(notSerializable) }
                    try await connection.send(Self.event(1))
                }
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == Self.event(0))
                #expect(try await inbound.next() == Self.event(1))
                try await connection.close()
            }
        }
    }

    @Test(
        "sendWithoutWaiting sends at once on the event loop, in order with send(_:) around it; off the event loop it sends nothing and returns false")
    func sendWithoutWaitingOnTheLoopOnly() async throws {
        let count = 200
        try await withEchoServer { _, endpoint in
            try await withTimeout(20, "sends without waiting") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                #expect(try connection.sendWithoutWaiting(Self.event(-1)) == false, "off the event loop")
                let taken = try await withTaskExecutorPreference(connection.executor) {
                    var taken = 0
                    for index in 0 ..< count {
                        if index % 3 == 0 {
                            try await connection.send(Self.event(index))
                        } else if try connection.sendWithoutWaiting(Self.event(index)) {
                            taken += 1
                        } else {
                            try await connection.send(Self.event(index))
                        }
                    }
                    return taken
                }
                #expect(taken > 0, "a writable connection on its own loop takes messages at once")
                var inbound = connection.inbound.makeAsyncIterator()
                for index in 0 ..< count { #expect(try await inbound.next() == Self.event(index)) }
                try await connection.close()
            }
        }
    }

    @Test("sendWithoutWaiting throws as send(_:) does: over the peer's limit (nothing sent), and after close()")
    func sendWithoutWaitingThrowsAsSendDoes() async throws {
        let small = RawSocketConfiguration {
            $0.maxReceiveLength = 512
            $0.handshakeTimeout = guardedConfiguration.handshakeTimeout
        }
        let tooLarge = WAMPMessage.publish(.init(
            request: 1, topic: "com.example.large", payload: .arguments([.string(String(repeating: "x", count: 600))], [:])))
        try await withEchoServer(configuration: small) { _, endpoint in
            try await withTimeout(20, "refused sends without waiting") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                try await withTaskExecutorPreference(connection.executor) { () async throws -> Void in
                    #expect(try connection.sendWithoutWaiting(Self.event(0)))
                    expectError(.messageTooLarge) { try connection.sendWithoutWaiting(tooLarge) }
                    #expect(try connection.sendWithoutWaiting(Self.event(1)))
                }
                var inbound = connection.inbound.makeAsyncIterator()
                #expect(try await inbound.next() == Self.event(0))
                #expect(try await inbound.next() == Self.event(1))
                try await connection.close()
                await withTaskExecutorPreference(connection.executor) { () async -> Void in
                    expectError(.connectionClosed) { try connection.sendWithoutWaiting(Self.event(2)) }
                }
            }
        }
    }

    @Test("nextWithoutWaiting takes the messages already received, in order, and nil when none is at hand")
    func nextWithoutWaitingTakesWhatIsAtHand() async throws {
        let count = 300
        let (released, release) = AsyncStream<Void>.makeStream()
        try await withServer(handler: { connection in
            for index in 0 ..< count { try await connection.send(Self.event(index)) }
            for await _ in released {}
            try await connection.close()
        }) { _, endpoint in
            try await withTimeout(20, "messages at hand") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                var inbound = connection.inbound.makeAsyncIterator()
                var received = 0
                var takenAtHand = 0
                while received < count {
                    let message: WAMPMessage?
                    if let atHand = try inbound.nextWithoutWaiting() {
                        message = atHand
                        takenAtHand += 1
                    } else {
                        message = try await inbound.next()
                    }
                    #expect(message == Self.event(received))
                    received += 1
                }
                #expect(takenAtHand > 0, "messages read together are at hand after the first")
                #expect(try inbound.nextWithoutWaiting() == nil, "nothing more was sent")
                release.finish()
                #expect(try await inbound.next() == nil)
            }
        }
    }

    @Test("a send after the peer closed throws connectionClosed")
    func sendAfterThePeerClosedThrowsConnectionClosed() async throws {
        try await withServer(handler: { connection in try await connection.close() }) { _, endpoint in
            try await withTimeout(10, "send after the peer closed") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                for try await _ in connection.inbound {}
                await connection.closed
                await expectErrorAsync(.connectionClosed) { try await connection.send(sampleMessages[0]) }
            }
        }
    }

    @Test("a connection dropped without close() is closed: the server's handler sees the end")
    func droppedConnectionIsClosed() async throws {
        let (ends, end) = AsyncStream<Void>.makeStream()
        try await withServer(handler: { connection in
            for try await _ in connection.inbound {}
            end.yield()
        }) { _, endpoint in
            try await withTimeout(10, "dropped connection") {
                do {
                    let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                    try await connection.send(sampleMessages[0])
                }
                var iterator = ends.makeAsyncIterator()
                await iterator.next()
            }
        }
    }
}
