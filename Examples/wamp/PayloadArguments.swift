import ArgumentParser
import Transport

/// Positional arguments and `--kw KEY=VALUE` pairs of call and publish.
struct PayloadArguments: ParsableArguments {
    @Argument(help: "Positional arguments: each is parsed as JSON when it parses, else taken as a string.")
    var args: [String] = []

    @Option(name: .customLong("kw"), help: "A keyword argument KEY=VALUE (VALUE as JSON when it parses, else a string); repeatable.")
    var kwargs: [String] = []

    func validate() throws {
        for pair in kwargs where !pair.contains("=") {
            throw ValidationError("--kw takes KEY=VALUE, got \"\(pair)\"")
        }
    }

    /// The positional arguments as values.
    var values: [WAMPValue] { args.map(JSONText.parseLenient) }

    /// The keyword arguments as values.
    var keywordValues: [String: WAMPValue] {
        var out: [String: WAMPValue] = [:]
        for pair in kwargs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(parts[0])] = JSONText.parseLenient(String(parts.count > 1 ? parts[1] : ""))
        }
        return out
    }
}
