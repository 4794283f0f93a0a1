import NIOCore
import RawSocketTransport
import Testing
import Transport

@Suite("Configuration")
struct ConfigurationTests {
    @Test("the defaults are 2^24, 10 PINGs, no keepalive, a 10 s handshake timeout")
    func defaults() throws {
        let configuration = RawSocketConfiguration()
        #expect(configuration.maxReceiveLength == 1 << 24)
        #expect(configuration.maxPings == 10)
        #expect(configuration.pingInterval == nil)
        #expect(configuration.handshakeTimeout == .seconds(10))
        try configuration.validate()
    }

    @Test("maxReceiveLength that is not a power of two from 512 to 2^24 is rejected", arguments: [
        1000, 256, 1 << 25, 0, -512, 511, 513, (1 << 24) - 1, 3 * 512,
    ])
    func invalidMaxReceiveLengthRejected(length: Int) {
        var configuration = RawSocketConfiguration()
        configuration.maxReceiveLength = length
        let error = expectError(.invalidConfiguration) { try configuration.validate() }
        #expect(error?.message.contains("\(length)") == true)
    }

    @Test("every power of two from 512 to 2^24 is accepted", arguments: 9 ... 24)
    func powersOfTwoAccepted(exponent: Int) throws {
        try RawSocketConfiguration { $0.maxReceiveLength = 1 << exponent }.validate()
    }

    @Test("maxPings below 1, a non-positive ping interval or handshake timeout are rejected")
    func otherInvalidValuesRejected() {
        expectError(.invalidConfiguration) { try RawSocketConfiguration { $0.maxPings = 0 }.validate() }
        expectError(.invalidConfiguration) { try RawSocketConfiguration { $0.pingInterval = .zero }.validate() }
        expectError(.invalidConfiguration) { try RawSocketConfiguration { $0.pingInterval = .milliseconds(-1) }.validate() }
        expectError(.invalidConfiguration) { try RawSocketConfiguration { $0.handshakeTimeout = .zero }.validate() }
    }

    @Test("client and server refuse an invalid configuration before touching the network")
    func clientAndServerValidate() async {
        let invalid = RawSocketConfiguration { $0.maxReceiveLength = 1000 }
        await expectErrorAsync(.invalidConfiguration) {
            try await RawSocketClient.connect(to: .tcp(host: "127.0.0.1", port: 1), serializers: [jsonSerializer], configuration: invalid)
        }
        await expectErrorAsync(.invalidConfiguration) {
            try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [jsonSerializer], configuration: invalid)
        }
        await expectErrorAsync(.invalidConfiguration) {
            try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [])
        }
        await expectErrorAsync(.invalidConfiguration) {
            try await RawSocketServer.bind(to: .tcp(host: "127.0.0.1", port: 0), serializers: [jsonSerializer], maxConnections: 0)
        }
    }

    @Test("errors describe their code, message and cause")
    func errorDescription() {
        struct Cause: Error, CustomStringConvertible { var description: String { "the cause" } }
        let error = RawSocketError(.frameTooLarge, "too big", cause: Cause())
        #expect(error.description.contains("frameTooLarge"))
        #expect(error.description.contains("too big"))
        #expect(error.description.contains("the cause"))
        #expect(RawSocketError.Code.frameTooLarge != .messageTooLarge)
    }
}
