import ArgumentParser

/// `wamp`: talk WAMP over RawSocket or WebSocket from the command line.
@main
struct WAMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wamp",
        abstract: "WAMP over RawSocket and WebSocket: a router, a demo, an echo server, a benchmark client, a message sender, a soak test, and WAMP client sessions (call, register, subscribe, publish).",
        subcommands: [Demo.self, EchoServer.self, Bench.self, BenchRouter.self, Send.self, Soak.self, Call.self, Register.self, Subscribe.self, Publish.self, RouterCommand.self],
        defaultSubcommand: nil
    )
}
