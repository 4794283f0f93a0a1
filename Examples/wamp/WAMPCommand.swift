import ArgumentParser

/// `wamp`: talk WAMP over RawSocket or WebSocket from the command line.
@main
struct WAMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wamp",
        abstract: "WAMP over RawSocket and WebSocket: a demo, an echo server, a benchmark client and a message sender.",
        subcommands: [Demo.self, EchoServer.self, Bench.self, Send.self],
        defaultSubcommand: nil
    )
}
