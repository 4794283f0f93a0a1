import Foundation
import RawSocketTransport
import Testing
import Transport
import WAMPSession

/// Peers that break the protocol below WAMP, against `wamp router` run as a process, while two
/// WAMPSession sessions of this process go on with a call in flight.
extension WAMPToolRouterTests {
    /// Garbage a RawSocket client sends after a successful handshake (MessagePack, 2^24).
    static let rawSocketGarbage: [(name: String, octets: [UInt8])] = [
        // A regular frame of 4 octets that are no MessagePack (0xC1 is never used).
        ("a frame that is no MessagePack", [0x00, 0x00, 0x00, 0x04, 0xC1, 0xC1, 0xC1, 0xC1]),
        // Text where a frame header belongs: "GARBAGE" (frame type 7 is reserved).
        ("text instead of a frame", Array("GARBAGE, NOT A FRAME\r\n".utf8)),
    ]

    @Test("garbage after the RawSocket handshake and an invalid WebSocket text frame are cut off while WAMPSession sessions, a call in flight included, go on")
    func garbageIsCutOffWhileSessionsGoOn() async throws {
        let (router, urls) = try await Self.startRouter(try WAMPTool.require(), [
            "--listen", "rs://127.0.0.1:0", "--listen", "ws://127.0.0.1:0/ws", "--realm", "realm1",
        ])
        do {
            let rawSocket = try #require(urls.first { $0.hasPrefix("rs://") })
            let webSocket = try #require(urls.first { $0.hasPrefix("ws://") })
            let rawSocketPort = try #require(Int(rawSocket.split(separator: ":").last ?? ""))
            let webSocketPort = try #require(Int(webSocket.split(separator: ":").last?.split(separator: "/").first ?? ""))
            let endpoint = RawSocketEndpoint.tcp(host: "127.0.0.1", port: rawSocketPort)
            try await withRouterSession(endpoint, .msgpack) { callee in
                try await withRouterSession(endpoint, .json) { caller in
                    let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
                    try await callee.register("com.example.breakers.slow") { invocation -> WAMPResult in
                        for await _ in release { break }
                        return WAMPResult(args: invocation.args)
                    }
                    let calleeID = await callee.sessionID
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            let echoed: String = try await withTimeout(InteropTimeouts.bulk, "the call in flight") {
                                try await caller.call("com.example.breakers.slow", "still here")
                            }
                            #expect(echoed == "still here")
                        }
                        for (name, garbage) in Self.rawSocketGarbage {
                            try await Self.sendAfterRawSocketHandshake(garbage, port: rawSocketPort, name)
                        }
                        try await Self.sendInvalidWebSocketText(port: webSocketPort)
                        releaseContinuation.finish()
                        try await group.waitForAll()
                    }
                    #expect(await callee.sessionID == calleeID)
                    let echoed: String = try await withTimeout(InteropTimeouts.message, "a call after the breakers") {
                        try await caller.call("com.example.breakers.slow", "after")
                    }
                    #expect(echoed == "after")
                }
            }
        } catch {
            await router.stop()
            throw error
        }
        kill(router.pid, SIGTERM)
        #expect(try await router.waitForExit(timeout: 60) == 0, "\(router.transcript)")
    }

    /// Completes a RawSocket handshake for MessagePack, sends `garbage` and expects the router
    /// to close the connection.
    static func sendAfterRawSocketHandshake(_ garbage: [UInt8], port: Int, _ name: String) async throws {
        let socket = try LoopbackSocket(port: port)
        // 0x7F, maximum length 2^24 (exponent 15) and serializer 2 (MessagePack), reserved 0, 0.
        try socket.transmit([0x7F, 0xF2, 0x00, 0x00])
        let reply = try await socket.read(count: 4, timeout: InteropTimeouts.message)
        #expect(reply[0] == 0x7F && reply[1] & 0x0F == 2, "\(name): handshake reply \(reply)")
        try socket.transmit(garbage)
        _ = try await socket.readUntilClosed(timeout: InteropTimeouts.message)
    }

    /// Opens a WebSocket for `wamp.2.json`, sends a text frame whose payload is not UTF-8 and
    /// expects the router to close the connection (with a close frame first).
    static func sendInvalidWebSocketText(port: Int) async throws {
        let socket = try LoopbackSocket(port: port)
        let request = """
            GET /ws HTTP/1.1\r
            Host: 127.0.0.1:\(port)\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            Sec-WebSocket-Protocol: wamp.2.json\r
            \r

            """
        try socket.transmit(Array(request.utf8))
        var response: [UInt8] = []
        while !String(decoding: response, as: UTF8.self).contains("\r\n\r\n") {
            response += try await socket.read(count: 1, timeout: InteropTimeouts.message)
        }
        let head = String(decoding: response, as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 101"), "\(head)")
        // FIN + text, masked, 3 octets that are not UTF-8, masked with 1, 2, 3, 4.
        let mask: [UInt8] = [1, 2, 3, 4]
        let payload: [UInt8] = [0xFF, 0xFE, 0xC0]
        let masked = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try socket.transmit([0x81, 0x80 | UInt8(payload.count)] + mask + masked)
        let closing = try await socket.readUntilClosed(timeout: InteropTimeouts.message)
        #expect(closing.first == 0x88, "a close frame before the end: \(closing)")
    }
}
