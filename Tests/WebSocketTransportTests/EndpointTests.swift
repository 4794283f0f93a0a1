import Testing
import Transport
import JSONSerializer
import NIOCore
import MsgPackSerializer
import WebSocketTransport

@Suite("WebSocket endpoints and subprotocols")
struct EndpointTests {
    @Test("ws:// and wss:// URLs give host, port, path and TLS; ports default to 80 and 443")
    func parsesURLs() throws {
        #expect(try WebSocketEndpoint(url: "ws://127.0.0.1:8080/ws") == WebSocketEndpoint(host: "127.0.0.1", port: 8080, path: "/ws"))
        #expect(try WebSocketEndpoint(url: "wss://example.com/wamp?x=1") == WebSocketEndpoint(host: "example.com", port: 443, path: "/wamp?x=1", usesTLS: true))
        #expect(try WebSocketEndpoint(url: "ws://[::1]:9000") == WebSocketEndpoint(host: "::1", port: 9000, path: "/"))
        #expect(try WebSocketEndpoint(url: "WS://host") == WebSocketEndpoint(host: "host", port: 80))
        #expect(try WebSocketEndpoint(url: "ws://[::1]:9000/ws").description == "ws://[::1]:9000/ws")
    }

    @Test("bad URLs are refused with invalidURL", arguments: ["127.0.0.1:80", "rs://h:1", "ws://:80/", "ws://h:99999", "ws://h:x/", "ws://[::1/"])
    func refusesBadURLs(_ url: String) {
        #expect(throws: WebSocketError.self) { try WebSocketEndpoint(url: url) }
        do { _ = try WebSocketEndpoint(url: url) } catch { #expect(error.code == .invalidURL) }
    }

    @Test("the server picks the first offered subprotocol it accepts, in the client's order")
    func subprotocolSelection() {
        let both: [any WAMPSerializer] = [WAMPJSONSerializer(), WAMPMsgPackSerializer()]
        let offered = WebSocketSubprotocol.parse(["wamp.2.cbor, wamp.2.msgpack", "wamp.2.json"])
        #expect(offered == ["wamp.2.cbor", "wamp.2.msgpack", "wamp.2.json"])
        #expect(WebSocketSubprotocol.select(offered: offered, accepted: both)?.id == .msgpack)
        #expect(WebSocketSubprotocol.select(offered: ["wamp.2.cbor"], accepted: both) == nil)
        #expect(WebSocketSubprotocol.offer(both) == "wamp.2.json, wamp.2.msgpack")
    }

    @Test("configuration values out of range are refused")
    func validatesConfiguration() {
        #expect(throws: WebSocketError.self) { try WebSocketConfiguration { $0.maxReceiveLength = 0 }.validate() }
        #expect(throws: WebSocketError.self) { try WebSocketConfiguration { $0.pingInterval = .seconds(-1) }.validate() }
        #expect(throws: WebSocketError.self) { try WebSocketConfiguration { $0.handshakeTimeout = .zero }.validate() }
        #expect(throws: Never.self) { try WebSocketConfiguration().validate() }
    }
}
