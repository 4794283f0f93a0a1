import ArgumentParser
import Foundation
import JSONSerializer
import RawSocketTransport
import Transport

/// `wamp send`: sends WAMP messages given in JSON list form and prints what comes back.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send WAMP messages given as JSON lists; print each reply as one JSON line.",
        discussion: """
            Example: wamp send --connect rs://127.0.0.1:8080 '[1, "realm1", {"roles": {"caller": {}}}]'
            After the last message, replies are printed until --wait seconds pass without one.
            """)

    @Option(help: "The peer: rs://HOST:PORT, rss://HOST:PORT or rs+unix:///PATH.")
    var connect: RawSocketEndpoint

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: "json or msgpack.")
    var serializer: SerializerOption = .json

    @Option(help: "Seconds to wait for replies after each message.")
    var wait: Double = 1

    @Argument(help: "Messages in JSON list form, e.g. '[1, \"realm1\", {}]'.")
    var messages: [String]

    func run() async throws {
        let json = WAMPJSONSerializer()
        let parsed = try messages.map { text in
            do { return try json.deserialize(Array(text.utf8)) } catch {
                throw ValidationError("\(text) is not a WAMP message: \(error)")
            }
        }
        let connection: RawSocketConnection
        do {
            connection = try await RawSocketClient.connect(
                to: connect, serializer: serializer.serializer, tlsConfiguration: try tls.configuration(),
                serverHostname: tls.tlsServerName)
        } catch let error as RawSocketError {
            FileHandle.standardError.write(Data("handshake failed: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let printer = Task {
            for try await reply in connection.inbound {
                let bytes: [UInt8] = try json.serialize(reply)
                printLine(String(decoding: bytes, as: UTF8.self))
            }
        }
        for message in parsed {
            try await connection.send(message)
            try await Task.sleep(for: .seconds(wait))
        }
        try await connection.close()
        printer.cancel()
        _ = await printer.result
    }
}
