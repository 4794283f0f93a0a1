import ArgumentParser
import Foundation
import JSONSerializer
import RawSocketTransport
import WebSocketTransport
import Transport

/// `wamp send`: sends WAMP messages given in JSON list form and prints what comes back.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send WAMP messages given as JSON lists; print each reply as one JSON line.",
        discussion: """
            Example: wamp send --connect rs://127.0.0.1:8080 '[1, "realm1", {"roles": {"caller": {}}}]'
            After the last message, replies are printed until --wait seconds pass without one.
            """)

    @Option(help: "The peer: rs://HOST:PORT, rss://HOST:PORT, rs+unix:///PATH, ws://HOST:PORT/PATH or wss://HOST:PORT/PATH.")
    var connect: TransportURL

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: "json, msgpack or cbor.")
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
        let connection: any WAMPTransport
        do {
            connection = try await TransportDialer.connect(connect, serializer: serializer.serializer, tls: tls)
        } catch let error as RawSocketError {
            FileHandle.standardError.write(Data("handshake failed: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as WebSocketError {
            FileHandle.standardError.write(Data("handshake failed: \(error)\n".utf8))
            throw ExitCode(2)
        }
        try await Self.exchange(connection, messages: parsed, wait: wait, json: json)
    }

    /// Prints every reply as a JSON line while sending `messages`, `wait` seconds apart.
    static func exchange<Connection: WAMPTransport>(
        _ connection: Connection, messages parsed: [WAMPMessage], wait: Double, json: WAMPJSONSerializer
    ) async throws {
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
