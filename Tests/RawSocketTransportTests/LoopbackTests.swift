import Foundation
import NIOCore
import NIOPosix
import NetworkTestSupport
import RawSocketTransport
import Synchronization
import Testing
import TimeGuards
import Transport

/// Real sockets on 127.0.0.1 and Unix socket paths: our client against our server, and each
/// against a raw peer that misbehaves on purpose.
@Suite("Loopback", .scaledTimeLimit(minutes: 1))
struct LoopbackTests {
    // MARK: Round trips

    @Test("typed messages round trip over TCP; the client picks the serializer", arguments: ["json", "msgpack"])
    func typedMessagesRoundTripOverTCP(serializerName: String) async throws {
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "round trip") {
                try await Self.roundTrip(endpoint: endpoint, serializer: serializer(named: serializerName))
            }
        }
    }

    @Test("typed messages round trip over a Unix socket", arguments: ["json", "msgpack"])
    func typedMessagesRoundTripOverUnixSocket(serializerName: String) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rs.sock").path
        try await withEchoServer(endpoint: .unix(path: path)) { server, endpoint in
            #expect(endpoint == .unix(path: path))
            try await withTimeout(10, "round trip") {
                try await Self.roundTrip(endpoint: endpoint, serializer: serializer(named: serializerName))
            }
        }
    }

    static func roundTrip(endpoint: RawSocketEndpoint, serializer: any WAMPSerializer) async throws {
        let connection = try await RawSocketClient.connect(to: endpoint, serializers: [serializer])
        #expect(connection.serializer.id == serializer.id)
        #expect(connection.maxSendLength == 1 << 24)
        #expect(connection.maxReceiveLength == 1 << 24)
        var inbound = connection.inbound.makeAsyncIterator()
        for message in sampleMessages {
            try await connection.send(message)
            let echoed = try await inbound.next()
            #expect(echoed == message)
        }
        try await connection.close()
    }

    @Test("withConnection closes the connection after its body")
    func withConnectionCloses() async throws {
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "withConnection") {
                let connection = try await RawSocketClient.withConnection(to: endpoint, serializers: [jsonSerializer]) { connection in
                    try await connection.send(sampleMessages[0])
                    var inbound = connection.inbound.makeAsyncIterator()
                    #expect(try await inbound.next() == sampleMessages[0])
                    return connection
                }
                await connection.closed
                await #expect(throws: (any Error).self) { try await connection.send(sampleMessages[0]) }
            }
        }
    }

    @Test("server handlers and withConnection bodies run on an event loop by default, on the global executor when configured off",
          arguments: [true, false])
    func handlersRunOnTheEventLoop(_ onEventLoop: Bool) async throws {
        let configuration = RawSocketConfiguration { $0.runsHandlersOnEventLoop = onEventLoop }
        let (reports, reporter) = AsyncStream<Bool>.makeStream()
        try await withServer(configuration: configuration, handler: { connection in
            // A child task inherits the preference, so a server's per-message work stays on the loop.
            async let childOnLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
            let onLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
            let child = await childOnLoop
            reporter.yield(onLoop && child)
            for try await message in connection.inbound { try await connection.send(message) }
        }) { _, endpoint in
            try await withTimeout(10, "withConnection") {
                let clientOnLoop = try await RawSocketClient.withConnection(
                    to: endpoint, serializers: [jsonSerializer], configuration: configuration
                ) { connection in
                    try await connection.send(sampleMessages[0])
                    var inbound = connection.inbound.makeAsyncIterator()
                    #expect(try await inbound.next() == sampleMessages[0])
                    return MultiThreadedEventLoopGroup.currentEventLoop != nil
                }
                #expect(clientOnLoop == onEventLoop)
                var iterator = reports.makeAsyncIterator()
                #expect(await iterator.next() == onEventLoop)
            }
        }
    }

    @Test("a 2^24 - 1 octet payload, then one of exactly 2^24 (the X bit), arrive intact over TCP")
    func largestPayloadsArriveIntact() async throws {
        let configuration = RawSocketConfiguration { $0.maxReceiveLength = 1 << 24 }
        let (reports, report) = AsyncStream<(count: Int, intact: Bool)>.makeStream()
        try await withServer(configuration: configuration, handler: { connection in
            for try await payload in connection.payloads {
                report.yield((payload.readableBytes, isCyclicPattern(payload)))
                try await connection.send(payload: ByteBuffer(string: "ok"))
            }
        }) { server, endpoint in
            try await withTimeout(30, "16 MiB transfers") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer], configuration: configuration)
                #expect(connection.maxSendLength == 1 << 24)
                var reportIterator = reports.makeAsyncIterator()
                var payloads = connection.payloads.makeAsyncIterator()
                for length in [(1 << 24) - 1, 1 << 24] {
                    try await connection.send(payload: cyclicPattern(length))
                    let received = try #require(await reportIterator.next())
                    #expect(received.count == length)
                    #expect(received.intact)
                    #expect(try await payloads.next() == ByteBuffer(string: "ok"))
                }
                await expectErrorAsync(.messageTooLarge) { try await connection.send(payload: cyclicPattern((1 << 24) + 1)) }
                try await connection.close()
            }
        }
    }

    @Test("a server announcing 512 limits the client; a larger send throws messageTooLarge and the connection stays usable")
    func serverLimitBoundsClientSends() async throws {
        let serverConfiguration = RawSocketConfiguration { $0.maxReceiveLength = 512 }
        try await withEchoServer(configuration: serverConfiguration) { server, endpoint in
            try await withTimeout(10, "limit test") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                #expect(connection.maxSendLength == 512)
                #expect(connection.maxReceiveLength == 1 << 24)
                let large = WAMPMessage.publish(.init(request: 1, topic: "com.example.big", payload: .arguments([.string(String(repeating: "x", count: 600))], [:])))
                await expectErrorAsync(.messageTooLarge) { try await connection.send(large) }
                await expectErrorAsync(.messageTooLarge) { try await connection.send(payload: ByteBuffer(bytes: patternedPayload(513))) }
                // Nothing was sent: the server did not fail the connection, a small message still echoes.
                var inbound = connection.inbound.makeAsyncIterator()
                for message in sampleMessages {
                    try await connection.send(message)
                    #expect(try await inbound.next() == message)
                }
                // Exactly 512 octets are allowed.
                let prefix = "[16,1,{},\"t\",[\""
                let suffix = "\"]]"
                let exact = prefix + String(repeating: "y", count: 512 - prefix.utf8.count - suffix.utf8.count) + suffix
                try await connection.send(payload: ByteBuffer(string: exact))
                guard case .publish(let echoed) = try await inbound.next() else {
                    Issue.record("no PUBLISH echoed")
                    return
                }
                #expect(echoed.payload.args.first == .string(String(repeating: "y", count: 512 - prefix.utf8.count - suffix.utf8.count)))
                try await connection.close()
            }
        }
    }

    // MARK: Handshake refusals

    @Test("asking a JSON-only server for MsgPack throws handshakeRefused with serializerUnsupported")
    func unsupportedSerializerIsRefused() async throws {
        try await withEchoServer(serializers: [jsonSerializer]) { server, endpoint in
            try await withTimeout(10, "refused connect") {
                let error = await expectErrorAsync(.handshakeRefused) {
                    try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                }
                #expect(error?.handshakeErrorCode == .serializerUnsupported)
                // JSON still works.
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                #expect(connection.serializer.id == .json)
                try await connection.close()
            }
        }
    }

    @Test("over maxConnections a client is refused with error 4; after a close a new one succeeds")
    func maxConnectionsRefusesWithCode4() async throws {
        try await withEchoServer(maxConnections: 1) { server, endpoint in
            try await withTimeout(10, "connection limit") {
                let first = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                #expect(server.connectionCount == 1)
                let error = await expectErrorAsync(.handshakeRefused) {
                    try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                }
                #expect(error?.handshakeErrorCode == .maxConnectionCountReached)
                // The first connection is unaffected.
                var inbound = first.inbound.makeAsyncIterator()
                try await first.send(sampleMessages[2])
                #expect(try await inbound.next() == sampleMessages[2])
                try await first.close()
                try await waitUntil(5, "the server to notice the close") { server.connectionCount == 0 }
                let third = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
                var thirdInbound = third.inbound.makeAsyncIterator()
                try await third.send(sampleMessages[0])
                #expect(try await thirdInbound.next() == sampleMessages[0])
                try await third.close()
            }
        }
    }

    @Test("a raw client with a bad magic octet is closed without a reply")
    func badMagicClientClosedWithoutReply() async throws {
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "bad magic") {
                let received = try await withRawClient(port: server.port!) { raw in
                    try await raw.write(Array("GET / HTTP/1.1\r\n\r\n".utf8))
                    return await raw.readToEnd()
                }
                #expect(received == [])
            }
        }
    }

    @Test("a raw client asking for serializer 0 gets error reply 1 and is closed")
    func serializerZeroGetsErrorReply() async throws {
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "serializer 0") {
                let received = try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF0, 0x00, 0x00])
                    return await raw.readToEnd()
                }
                #expect(received == [0x7F, 0x10, 0x00, 0x00])
            }
        }
    }

    @Test("the server's handshake timeout closes a client that sends nothing")
    func serverHandshakeTimeoutClosesSilentClient() async throws {
        let configuration = RawSocketConfiguration { $0.handshakeTimeout = .milliseconds(200) }
        try await withEchoServer(configuration: configuration) { server, endpoint in
            try await withTimeout(10, "server handshake timeout") {
                let received = try await withRawClient(port: server.port!) { raw in await raw.readToEnd() }
                #expect(received == [])
            }
        }
    }

    @Test("a fake server that never replies to the handshake makes connect throw handshakeTimeout")
    func silentServerMakesConnectTimeOut() async throws {
        try await withRawServer({ raw in
            _ = try await raw.read(4)
            _ = await raw.readToEnd()
        }) { fake in
            let configuration = RawSocketConfiguration { $0.handshakeTimeout = .milliseconds(200) }
            try await withTimeout(5, "client handshake timeout") {
                await expectErrorAsync(.handshakeTimeout) {
                    try await RawSocketClient.connect(to: fake.endpoint, serializers: [jsonSerializer], configuration: configuration)
                }
            }
        }
    }

    @Test("a server reply with another serializer makes connect throw serializerMismatch")
    func mismatchedReplyMakesConnectFail() async throws {
        try await withRawServer({ raw in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF2, 0x00, 0x00])
            _ = await raw.readToEnd()
        }) { fake in
            try await withTimeout(5, "mismatch") {
                await expectErrorAsync(.serializerMismatch) {
                    try await RawSocketClient.connect(to: fake.endpoint, serializers: [jsonSerializer])
                }
            }
        }
    }

    // MARK: PING / PONG

    @Test("the client's PINGs are answered by our server: with maxPings 1 the connection keeps working")
    func clientHeartbeatAnsweredByServer() async throws {
        let configuration = RawSocketConfiguration { $0.maxPings = 1 }
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "heartbeats") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer], configuration: configuration)
                var inbound = connection.inbound.makeAsyncIterator()
                // With maxPings 1, a second heartbeat while the first is unanswered would fail the
                // connection; the server's PONG precedes the echo on the wire, so each echo
                // proves the previous PING was answered.
                for index in 1 ... 10 {
                    try await connection.checkHeartbeat()
                    let message = WAMPMessage.call(.init(request: WAMPID(index), procedure: "com.example.ping"))
                    try await connection.send(message)
                    #expect(try await inbound.next() == message)
                }
                try await connection.close()
            }
        }
    }

    @Test("our client answers a raw server's PING with a PONG echoing the payload")
    func clientAnswersServerPing() async throws {
        let (pongs, pong) = AsyncStream<[UInt8]>.makeStream()
        let pingPayload = patternedPayload(100)
        try await withRawServer({ raw in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF1, 0x00, 0x00])
            try await raw.write(frameBytes(.ping, pingPayload) + frameBytes(.ping, []))
            for _ in 0 ..< 2 {
                guard let frame = try await raw.readFrame() else { break }
                pong.yield([frame.type] + frame.payload)
            }
            pong.finish()
            _ = await raw.readToEnd()
        }) { fake in
            try await withTimeout(5, "PONG") {
                let connection = try await RawSocketClient.connect(to: fake.endpoint, serializers: [jsonSerializer])
                var iterator = pongs.makeAsyncIterator()
                #expect(await iterator.next() == [0x02] + pingPayload)
                #expect(await iterator.next() == [0x02])
                try await connection.close()
            }
        }
    }

    @Test("our server pings a raw client each interval and keeps going while PONGs come back")
    func serverPingsAndAcceptsPongs() async throws {
        // The raw client answers on its event loop (AutoPongHandler), not in a task of the
        // cooperative pool, which other tests may keep busy. With maxPings 10, a 14th PING only
        // comes when the PONGs to earlier ones were accepted; the margin of 10 intervals lets a
        // loaded test run (other tests' handlers share the event loops) stall for 300 ms.
        let configuration = RawSocketConfiguration { $0.maxPings = 10; $0.pingInterval = .milliseconds(30) }
        try await withEchoServer(configuration: configuration, eventLoopGroup: keepaliveGroup) { server, endpoint in
            try await withTimeout(10, "server keepalive") {
                let (events, continuation) = AsyncStream<AutoPongHandler.Event>.makeStream()
                let channel = try await ClientBootstrap(group: keepaliveGroup)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(AutoPongHandler(events: continuation))
                        }
                    }
                    .connect(host: "127.0.0.1", port: server.port!).get()
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .handshakeReply([0x7F, 0xF1, 0x00, 0x00]))
                var seen: Set<[UInt8]> = []
                for _ in 0 ..< 14 {
                    guard case .ping(let payload) = await iterator.next() else {
                        Issue.record("the server stopped pinging after \(seen.count) PINGs")
                        break
                    }
                    #expect(seen.insert(payload).inserted, "each PING has its own payload")
                }
                try await channel.close()
            }
        }
    }

    @Test("our server closes a raw client that does not answer its PINGs")
    func serverClosesSilentClient() async throws {
        let configuration = RawSocketConfiguration { $0.maxPings = 2; $0.pingInterval = .milliseconds(30) }
        try await withEchoServer(configuration: configuration) { server, endpoint in
            try await withTimeout(10, "server closing a silent client") {
                try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    #expect(try await raw.read(4) == [0x7F, 0xF1, 0x00, 0x00])
                    var pings = 0
                    while let frame = try? await raw.readFrame() {
                        #expect(frame.type == 0x01)
                        pings += 1
                    }
                    #expect(pings == 2)
                }
            }
        }
    }

    @Test("both sides pinging each other keep a connection open while messages flow")
    func pingsBothWays() async throws {
        // 40 unanswered PINGs at 50 ms: a 2-second stall of a loaded test run is tolerated.
        // A PING goes out after an interval without traffic, so the messages leave 150 ms of
        // quiet between them: 600 ms of traffic still carries PING rounds each way.
        let configuration = RawSocketConfiguration { $0.maxPings = 40; $0.pingInterval = .milliseconds(50) }
        try await withEchoServer(configuration: configuration, eventLoopGroup: keepaliveGroup) { server, endpoint in
            try await withTimeout(15, "pings both ways") {
                let connection = try await RawSocketClient.connect(
                    to: endpoint, serializers: [msgPackSerializer], configuration: configuration, eventLoopGroup: keepaliveGroup)
                var inbound = connection.inbound.makeAsyncIterator()
                let clock = ContinuousClock()
                let end = clock.now.advanced(by: .milliseconds(600))
                var index: WAMPID = 0
                // Long enough for many PING rounds each way; any unanswered PING would end the connection.
                while clock.now < end {
                    index += 1
                    let message = WAMPMessage.published(.init(request: index, publication: index))
                    try await connection.send(message)
                    #expect(try await inbound.next() == message)
                    try await Task.sleep(for: .milliseconds(150))
                }
                try await connection.close()
            }
        }
    }

    @Test("keepalive closes a silent peer: the inbound sequence throws tooManyUnansweredPings")
    func keepaliveClosesSilentServer() async throws {
        let (pingCounts, pingCount) = AsyncStream<Int>.makeStream()
        try await withRawServer({ raw in
            _ = try await raw.read(4)
            try await raw.write([0x7F, 0xF1, 0x00, 0x00])
            var pings = 0
            while let frame = try? await raw.readFrame() {
                if frame.type == 0x01 { pings += 1 }
            }
            pingCount.yield(pings)
        }) { fake in
            let configuration = RawSocketConfiguration { $0.maxPings = 2; $0.pingInterval = .milliseconds(50) }
            try await withTimeout(5, "keepalive failure") {
                let connection = try await RawSocketClient.connect(to: fake.endpoint, serializers: [jsonSerializer], configuration: configuration)
                await expectErrorAsync(.tooManyUnansweredPings) {
                    for try await message in connection.inbound { Issue.record("unexpected \(message)") }
                }
                await connection.closed
                var counts = pingCounts.makeAsyncIterator()
                #expect(await counts.next() == 2)
            }
        }
    }

    // MARK: Failures on the server side

    @Test("a malformed JSON payload makes the server's inbound throw invalidMessage and closes the connection")
    func malformedPayloadFailsServerInbound() async throws {
        let (errors, errorReport) = AsyncStream<RawSocketError?>.makeStream()
        try await withServer(serializers: [jsonSerializer], handler: { connection in
            do {
                for try await _ in connection.inbound {}
                errorReport.yield(nil)
            } catch {
                errorReport.yield(error as? RawSocketError)
                throw error
            }
        }) { server, endpoint in
            try await withTimeout(10, "invalid message") {
                let after = try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    #expect(try await raw.read(4) == [0x7F, 0xF1, 0x00, 0x00])
                    try await raw.write(frameBytes(.message, Array("[1, \"realm1\", {".utf8)))
                    return await raw.readToEnd()
                }
                #expect(after == [], "the server closed the connection")
                var iterator = errors.makeAsyncIterator()
                let error = try #require(await iterator.next())
                #expect(error?.code == .invalidMessage)
                #expect(error?.cause != nil)
            }
        }
    }

    @Test("a well-formed list that is not a WAMP message also throws invalidMessage")
    func invalidWAMPMessageFailsServerInbound() async throws {
        let (errors, errorReport) = AsyncStream<RawSocketError.Code?>.makeStream()
        try await withServer(serializers: [jsonSerializer], handler: { connection in
            do {
                for try await _ in connection.inbound {}
                errorReport.yield(nil)
            } catch {
                errorReport.yield((error as? RawSocketError)?.code)
            }
        }) { server, endpoint in
            try await withTimeout(10, "invalid message") {
                _ = try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    _ = try await raw.read(4)
                    try await raw.write(frameBytes(.message, Array("[\"hello\"]".utf8)))
                    return await raw.readToEnd()
                }
                var iterator = errors.makeAsyncIterator()
                #expect(await iterator.next() == .invalidMessage)
            }
        }
    }

    @Test("a raw client sending a reserved frame type is disconnected")
    func reservedFrameTypeDisconnects() async throws {
        try await withEchoServer { server, endpoint in
            try await withTimeout(10, "reserved frame") {
                let after = try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    _ = try await raw.read(4)
                    try await raw.write([0x03, 0x00, 0x00, 0x01, 0x00])
                    return await raw.readToEnd()
                }
                #expect(after == [])
            }
        }
    }

    @Test("a raw client sending a frame over the server's limit is disconnected")
    func oversizeFrameDisconnects() async throws {
        let configuration = RawSocketConfiguration { $0.maxReceiveLength = 1024 }
        try await withEchoServer(configuration: configuration) { server, endpoint in
            try await withTimeout(10, "oversize frame") {
                let after = try await withRawClient(port: server.port!) { raw in
                    try await raw.write([0x7F, 0xF1, 0x00, 0x00])
                    #expect(try await raw.read(4) == [0x7F, 0x11, 0x00, 0x00])
                    // Only the header: the server must not wait for the payload.
                    try await raw.write(octets(RawSocketFrameHeader(type: .message, length: 1025).encoded))
                    return await raw.readToEnd()
                }
                #expect(after == [])
            }
        }
    }

    // MARK: Shutdown and concurrency

    @Test("server.shutdown() closes open client connections; their inbound ends")
    func shutdownClosesClientConnections() async throws {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [jsonSerializer])
        let runner = Task {
            try await server.run { connection in
                for try await message in connection.inbound { try await connection.send(message) }
            }
        }
        let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: server.port!)
        defer { Task { await server.shutdown() } } // in case the test fails half-way; a second shutdown is harmless
        try await withTimeout(10, "shutdown") {
            let clients = [
                try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer]),
                try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer]),
            ]
            let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
            let readers = clients.map { client in
                Task {
                    // One echo proves the server handed the connection to its handler.
                    var inbound = client.inbound.makeAsyncIterator()
                    try await client.send(sampleMessages[0])
                    #expect(try await inbound.next() == sampleMessages[0])
                    readyContinuation.yield()
                    var more = 0
                    while try await inbound.next() != nil { more += 1 }
                    return more
                }
            }
            var readyIterator = ready.makeAsyncIterator()
            for _ in clients { await readyIterator.next() }
            #expect(server.connectionCount == 2)
            await server.shutdown()
            for reader in readers {
                #expect(try await reader.value == 0, "the inbound sequence ends without an error")
            }
            for client in clients { await client.closed }
            try await runner.value
            #expect(server.connectionCount == 0)
        }
    }

    @Test("concurrent senders: 8 tasks x 200 messages all arrive intact, none interleaved")
    func concurrentSendersNeverInterleave() async throws {
        let tasks = 8
        let perTask = 200
        struct Summary: Sendable {
            var received = 0
            var invalid = 0
            var outOfOrder = 0
        }
        let (summaries, summary) = AsyncStream<Summary>.makeStream()
        try await withServer(serializers: [jsonSerializer, msgPackSerializer], handler: { connection in
            var result = Summary()
            var next = [Int](repeating: 0, count: tasks)
            do {
                for try await message in connection.inbound {
                    result.received += 1
                    guard case .publish(let publish) = message, publish.payload.args.count == 3,
                          case .integer(let task) = publish.payload.args[0], case .integer(let index) = publish.payload.args[1],
                          (0 ..< tasks).contains(Int(task)),
                          publish.payload.args[2] == Self.filler(task: Int(task), index: Int(index))
                    else {
                        result.invalid += 1
                        continue
                    }
                    if next[Int(task)] != Int(index) { result.outOfOrder += 1 }
                    next[Int(task)] = Int(index) + 1
                    if result.received == tasks * perTask { try await connection.send(.goodbye(.init(details: [:], reason: "wamp.close.normal"))) }
                }
            } catch {
                result.invalid += 1_000_000
            }
            summary.yield(result)
        }) { server, endpoint in
            try await withTimeout(30, "concurrent senders") {
                let connection = try await RawSocketClient.connect(to: endpoint, serializers: [msgPackSerializer])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0 ..< tasks {
                        group.addTask {
                            for index in 0 ..< perTask {
                                try await connection.send(.publish(.init(
                                    request: WAMPID(task * perTask + index + 1), topic: "com.example.concurrent",
                                    payload: .arguments([.integer(Int64(task)), .integer(Int64(index)), Self.filler(task: task, index: index)], [:]))))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                var inbound = connection.inbound.makeAsyncIterator()
                guard case .goodbye = try await inbound.next() else {
                    Issue.record("the server did not confirm every message")
                    return
                }
                try await connection.close()
                var iterator = summaries.makeAsyncIterator()
                let result = try #require(await iterator.next())
                #expect(result.received == tasks * perTask)
                #expect(result.invalid == 0)
                #expect(result.outOfOrder == 0)
            }
        }
    }

    /// A per-message string whose length varies up to ~12 KB, so that frames span several writes and reads.
    static func filler(task: Int, index: Int) -> WAMPValue {
        let length = (index * 977 + task * 131) % 12_000
        let character = Character(UnicodeScalar(UInt8(97 + (task + index) % 26)))
        return .string("\(task):\(index):" + String(repeating: character, count: length))
    }

    @Test("the connections() sequence hands out connections after their handshake")
    func connectionsSequenceHandsOutConnections() async throws {
        let server = try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [jsonSerializer])
        let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: server.port!)
        defer { Task { await server.shutdown() } } // in case the test fails half-way
        let accepted = Task {
            for try await connection in server.connections() {
                var inbound = connection.inbound.makeAsyncIterator()
                if let message = try await inbound.next() { try await connection.send(message) }
                return Optional(connection.serializer.id)
            }
            return nil
        }
        try await withTimeout(10, "connections()") {
            let client = try await RawSocketClient.connect(to: endpoint, serializers: [jsonSerializer])
            try await client.send(sampleMessages[1])
            var inbound = client.inbound.makeAsyncIterator()
            #expect(try await inbound.next() == sampleMessages[1])
            #expect(try await accepted.value == .json)
            try await client.close()
        }
        await server.shutdown()
    }
}

@Suite("Loopback failures", .scaledTimeLimit(minutes: 1))
struct LoopbackFailureTests {
    @Test("connecting to a port nobody listens on throws a socket error")
    func connectToClosedPortThrows() async throws {
        // A port held bound without listening: a port bound and released could be taken by
        // another process's server meanwhile (it was once, and the connect succeeded).
        try await withRefusingPort { port in
            try await withTimeout(10, "refused connect") {
                await #expect(throws: (any Error).self) {
                    try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: port), serializers: [jsonSerializer])
                }
            }
        }
    }

    @Test("connecting to a Unix socket path that does not exist throws")
    func connectToMissingUnixSocketThrows() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withTimeout(10, "missing socket") {
            await #expect(throws: (any Error).self) {
                try await RawSocketClient.connect(
                    to: .unix(path: directory.appendingPathComponent("none.sock").path), serializers: [jsonSerializer])
            }
        }
    }
}

/// A raw RawSocket client that lives on its event loop: it sends a handshake request for
/// JSON, then answers every PING with a PONG at once, reporting what it saw.
final class AutoPongHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Event: Equatable, Sendable {
        case handshakeReply([UInt8])
        case ping([UInt8])
    }

    private let events: AsyncStream<Event>.Continuation
    private var buffer = ByteBuffer()
    private var handshakeDone = false

    init(events: AsyncStream<Event>.Continuation) {
        self.events = events
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: [0x7F, 0xF1, 0x00, 0x00])), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        if !handshakeDone {
            guard let reply = buffer.readBytes(length: 4) else { return }
            handshakeDone = true
            events.yield(.handshakeReply(reply))
        }
        while let header = buffer.getBytes(at: buffer.readerIndex, length: 4) {
            let length = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard buffer.readableBytes >= 4 + length else { break }
            buffer.moveReaderIndex(forwardBy: 4)
            let payload = buffer.readBytes(length: length)!
            if header[0] == 0x01 {
                context.write(wrapOutboundOut(ByteBuffer(bytes: frameBytes(.pong, payload))), promise: nil)
                events.yield(.ping(payload))
            }
        }
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        events.finish()
        context.fireChannelInactive()
    }
}
