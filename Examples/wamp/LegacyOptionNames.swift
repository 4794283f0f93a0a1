/// Old spellings of options, still accepted but no longer shown in help: the command line is
/// rewritten to the current names before it is parsed.
enum LegacyOptionNames {
    /// Old name to current name: `send`, `bench` and `soak` took `--connect` where every
    /// subcommand now takes `--url`.
    static let renamed = ["--connect": "--url"]

    /// `arguments` with every old option name replaced (`--connect X`, `--connect=X`), up to a
    /// `--` that ends the options.
    static func rewrite(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var optionsEnded = false
        for argument in arguments {
            if optionsEnded || argument == "--" {
                optionsEnded = true
                out.append(argument)
                continue
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if let current = renamed[name] {
                out.append(current + argument.dropFirst(name.count))
            } else {
                out.append(argument)
            }
        }
        return out
    }
}
