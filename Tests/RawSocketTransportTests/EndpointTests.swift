import RawSocketTransport
import Testing

@Suite("Endpoint URLs")
struct EndpointTests {
    @Test("rs://HOST:PORT is plain TCP")
    func plainTCP() throws {
        let endpoint = try RawSocketEndpoint(url: "rs://127.0.0.1:8080")
        #expect(endpoint.address == .tcp(host: "127.0.0.1", port: 8080))
        #expect(!endpoint.usesTLS)
        #expect(endpoint == .tcp(host: "127.0.0.1", port: 8080))
    }

    @Test("rss://HOST:PORT is TCP with TLS")
    func tcpWithTLS() throws {
        let endpoint = try RawSocketEndpoint(url: "rss://host:443")
        #expect(endpoint.address == .tcp(host: "host", port: 443))
        #expect(endpoint.usesTLS)
    }

    @Test("rs+unix:///PATH is a Unix socket")
    func unixSocket() throws {
        let endpoint = try RawSocketEndpoint(url: "rs+unix:///tmp/x.sock")
        #expect(endpoint.address == .unix(path: "/tmp/x.sock"))
        #expect(!endpoint.usesTLS)
        #expect(endpoint == .unix(path: "/tmp/x.sock"))
    }

    @Test("an IPv6 host goes in brackets")
    func bracketedIPv6() throws {
        let endpoint = try RawSocketEndpoint(url: "rs://[::1]:9000")
        #expect(endpoint.address == .tcp(host: "::1", port: 9000))
        #expect(!endpoint.usesTLS)
    }

    @Test("schemes are case-insensitive and aliases are accepted")
    func schemeAliases() throws {
        #expect(try RawSocketEndpoint(url: "RS://h:1").address == .tcp(host: "h", port: 1))
        #expect(try RawSocketEndpoint(url: "tcp://h:65535").address == .tcp(host: "h", port: 65535))
        #expect(try RawSocketEndpoint(url: "rawsocket://h:2").address == .tcp(host: "h", port: 2))
        #expect(try RawSocketEndpoint(url: "unix:///run/wamp.sock").address == .unix(path: "/run/wamp.sock"))
        #expect(try RawSocketEndpoint(url: "rs://h:8080/ws").address == .tcp(host: "h", port: 8080))
    }

    @Test("the description is the URL, and parses back", arguments: [
        "rs://127.0.0.1:8080", "rss://host:443", "rs+unix:///tmp/x.sock", "rs://[::1]:9000",
    ])
    func descriptionRoundTrips(url: String) throws {
        let endpoint = try RawSocketEndpoint(url: url)
        #expect(endpoint.description == url)
        #expect(try RawSocketEndpoint(url: endpoint.description) == endpoint)
    }

    @Test("invalid URLs throw invalidURL", arguments: [
        "", "127.0.0.1:8080", "http://host:80", "ws://host:80", "rs://host", "rs://host:", "rs://host:99999",
        "rs://host:65536", "rs://host:-1", "rs://host:http", "rs://:8080", "rs://[]:8080", "rs://[::1]",
        "rs+unix://relative.sock", "rs+unix://", "rs+unix:///",
    ])
    func invalidURLsThrow(url: String) {
        expectError(.invalidURL) { try RawSocketEndpoint(url: url) }
    }
}
