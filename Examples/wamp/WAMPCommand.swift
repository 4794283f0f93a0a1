import ArgumentParser
import Foundation

/// `wamp`: talk WAMP over RawSocket or WebSocket from the command line.
@main
struct WAMPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wamp",
        abstract: "WAMP over RawSocket and WebSocket: a router, a demo, an echo server, a benchmark client, a message sender, a soak test, and WAMP client sessions (call, register, subscribe, publish).",
        discussion: """
            Every subcommand takes --url for where to connect and --listen for where to listen; \
            one serializer is --serializer (default \(SerializerOption.standard.rawValue)), a list \
            is --serializers (default \(SerializerOption.all)). JSON output has sorted keys. A \
            failure prints one line on standard error; the exit status says what kind it was:

            \(ToolExitCode.table)
            """,
        version: WAMPToolVersion.current,
        subcommands: [Demo.self, EchoServer.self, Bench.self, BenchRouter.self, Send.self, Soak.self, Call.self, Register.self, Subscribe.self, Publish.self, RouterCommand.self],
        defaultSubcommand: nil
    )

    /// The entry point: runs ``runCommandLine()`` while the main thread waits for it.
    ///
    /// An `async` main would hand the main thread to `dispatch_main()`, which ends it with
    /// `pthread_exit` and parks it in a signal wait; valgrind (3.19 and 3.24 alike) crashes on
    /// such a process as soon as a second thread starts, so `Benchmarks/echo-callgrind.sh` could
    /// not count the servers' instructions. Here the main thread only waits on a semaphore.
    /// Nothing in the tool runs on the main actor, so nothing needs the main thread.
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        // The one unstructured task of the tool: the bridge from this synchronous entry point
        // into async code, which the runtime's own async main would otherwise create.
        Task.detached {
            await runCommandLine()
            finished.signal()
        }
        finished.wait()
    }

    /// Parses the command line (old option names rewritten, see ``LegacyOptionNames``), runs
    /// the subcommand, and turns whatever it throws into one line on standard error and an exit
    /// status with ``ToolFailure``. Usage errors (exit 2) print the subcommand's usage.
    static func runCommandLine() async {
        let arguments = LegacyOptionNames.rewrite(Array(CommandLine.arguments.dropFirst()))
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitAfterHelp(error)
            // Anything else is a usage error; ArgumentParser's message ends with the usage.
            printError(fullMessage(for: error))
            Foundation.exit(ToolExitCode.usage.rawValue)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            // `--help` parses to a help command that throws the help screen.
            exitAfterHelp(error)
            let failure = ToolFailure(describing: error)
            if !failure.message.isEmpty { printError(failure.message) }
            if failure.code == .usage {
                let name = type(of: command)._commandName
                printError("Usage: \(usageString(for: type(of: command)))\n  See 'wamp \(name) --help' for more information.")
            }
            Foundation.exit(failure.code.rawValue)
        }
    }

    /// For help and `--version` (errors that ArgumentParser ends with success): prints them
    /// on standard output and exits 0. Returns for every other error.
    private static func exitAfterHelp(_ error: any Error) {
        guard exitCode(for: error) == .success, !(error is ExitCode) else { return }
        printLine(fullMessage(for: error))
        Foundation.exit(ToolExitCode.success.rawValue)
    }
}
