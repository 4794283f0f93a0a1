import ArgumentParser
import Foundation
import JSONSerializer
import Transport

/// `wamp send`: sends WAMP messages given in JSON list form and prints what comes back.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send WAMP messages given as JSON lists; print each reply as one JSON line (sorted keys).",
        discussion: """
            Example: wamp send --url rs://127.0.0.1:8080 '[1, "realm1", {"roles": {"caller": {}}}]'
            After the last message, replies are printed until --wait seconds pass without one. \
            A refused handshake exits 3 (see wamp --help for every exit status).
            """)

    @Option(help: ArgumentHelp("The peer: \(TransportURL.clientSchemes)."))
    var url: TransportURL

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: SerializerOption.help)
    var serializer: SerializerOption = .standard

    @Option(help: "Seconds to wait for replies after each message.")
    var wait: Double = 1

    @Argument(help: "Messages in JSON list form, e.g. '[1, \"realm1\", {}]'.")
    var messages: [String]

    func run() async throws {
        let json = WAMPJSONSerializer()
        let parsed = try messages.map { text in
            do { return try json.deserialize(Array(text.utf8)) } catch {
                throw ValidationError("\(text) is not a WAMP message: \(ToolFailure.text(error))")
            }
        }
        let connection = try await TransportDialer.connect(url, serializer: serializer.serializer, tls: tls)
        try await Self.exchange(connection, messages: parsed, wait: wait)
    }

    /// Prints every reply as a JSON line while sending `messages`, `wait` seconds apart.
    static func exchange<Connection: WAMPTransport>(
        _ connection: Connection, messages parsed: [WAMPMessage], wait: Double
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Replies until the connection ends; how it ends is the sender's business.
                do {
                    for try await reply in connection.inbound { printLine(JSONText.format(reply.value)) }
                } catch {}
            }
            for message in parsed {
                try await connection.send(message)
                try await Task.sleep(for: .seconds(wait))
            }
            try await connection.close()
            group.cancelAll()
        }
    }
}
