import ArgumentParser

/// `wamp`: talk WAMP over RawSocket from the command line.
@main
struct WAMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wamp",
        abstract: "WAMP over RawSocket: a demo, an echo server, a benchmark client, a message sender and a soak test.",
        subcommands: [Demo.self, EchoServer.self, Bench.self, Send.self, Soak.self],
        defaultSubcommand: nil
    )
}
