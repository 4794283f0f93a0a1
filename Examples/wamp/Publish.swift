import ArgumentParser
import Transport
import WAMPSession

/// `wamp publish`: publishes one event with acknowledge.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish an event with acknowledge; exit 0 once the router confirmed it (PUBLISHED).",
        discussion: "Example: wamp publish --url rs://127.0.0.1:8080 com.example.tick 1 '{\"a\": 2}' --kw source=cli")

    @OptionGroup var session: SessionOptions

    @Argument(help: "The topic URI.")
    var topic: String

    @OptionGroup var payload: PayloadArguments

    func run() async throws {
        let topic = self.topic
        let args = payload.values
        let kwargs = payload.keywordValues
        // A WAMP error reaches ToolFailure, which prints it as JSON and exits 1.
        try await session.withSession { session in
            _ = try await session.publish(topic, args: args, kwargs: kwargs, acknowledge: true)
        }
    }
}
