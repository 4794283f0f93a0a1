import ArgumentParser
import Foundation
import Logging
import Transport
import WAMPSession

/// The options every session subcommand takes: where, which realm, which serializer, how to
/// authenticate.
struct SessionOptions: ParsableArguments {
    @Option(help: "The router: rs://HOST:PORT, rss://HOST:PORT (TLS) or rs+unix:///PATH.")
    var url: String

    @Option(help: "The realm to join.")
    var realm: String = "realm1"

    @Option(help: "json, msgpack or cbor.")
    var serializer: SerializerOption = .json

    @Option(help: "The authentication ID (with --ticket, --secret or --private-key; alone: anonymous with this authid).")
    var authid: String?

    @Option(help: "Authenticate with this ticket (WAMP ticket authentication).")
    var ticket: String?

    @Option(help: "Authenticate with WAMP-CRA and this secret (salted users included).")
    var secret: String?

    @Option(help: "Authenticate with WAMP-cryptosign and this Ed25519 private key seed (64 hex digits).")
    var privateKey: String?

    @Option(help: "Seconds to wait for WELCOME.")
    var joinTimeout: Double = 10

    @Flag(help: "Reconnect (exponential backoff, 0.5 s to 30 s) when the connection drops, re-joining and restoring the subscription or registration.")
    var reconnect = false

    @Flag(help: "Log the session's steps and messages on standard error (without it: warnings only).")
    var verbose = false

    @OptionGroup var tls: ClientTLSOptions

    func validate() throws {
        let methods = [ticket, secret, privateKey].compactMap { $0 }
        guard methods.count <= 1 else { throw ValidationError("give one of --ticket, --secret and --private-key") }
        if (ticket != nil || secret != nil), authid == nil {
            throw ValidationError("--ticket and --secret need --authid")
        }
    }

    /// The session configuration for these options.
    func configuration() throws -> WAMPSession.Configuration {
        var configuration = WAMPSession.Configuration()
        configuration.joinTimeout = .milliseconds(Int64(joinTimeout * 1000))
        if reconnect { configuration.reconnect = WAMPReconnectPolicy() }
        if let ticket, let authid {
            configuration.authentication = .ticket(authid: authid, ticket: ticket)
        } else if let secret, let authid {
            configuration.authentication = .wampcra(authid: authid, secret: secret)
        } else if let privateKey {
            configuration.authentication = .cryptosign(authid: authid, key: try WAMPCryptosignKey(hexSeed: privateKey))
        } else {
            configuration.authentication = .anonymous(authid: authid)
        }
        return configuration
    }

    /// The session's logger: on standard error (standard output carries the results), warnings
    /// only unless `--verbose`.
    var logger: Logger {
        var logger = Logger(label: WAMPSession.loggerLabel) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .trace : .warning
        return logger
    }

    /// Connects, joins, runs `body` with the session and leaves. A failure to connect or join
    /// prints the error on standard error and exits with status 2. With `--reconnect` the
    /// session reconnects after a drop.
    func withSession<Result>(_ body: (WAMPSession) async throws -> Result) async throws -> Result {
        let configuration = try configuration()
        let (url, realm, serializer, tls) = (self.url, self.realm, self.serializer, self.tls)
        do {
            // The session owns its transports: it opens them with the dialer (again after a drop
            // when reconnecting) and closes them when it leaves.
            return try await WAMPSession.withSession(realm: realm, configuration: configuration, logger: logger) {
                try await TransportDialer.connect(url: url, serializer: serializer, tls: tls)
            } _: { session in
                do {
                    return try await body(session)
                } catch {
                    throw BodyFailure(error: error)
                }
            }
        } catch let failure as BodyFailure {
            switch failure.error {
            case let error as ValidationError: throw error
            case let error as ExitCode: throw error
            case let error as WAMPError: throw error
            default:
                printError("\(url): \(failure.error)")
                throw ExitCode(2)
            }
        } catch let error as WAMPSessionError {
            printError("could not join realm \(realm) at \(url): \(error)")
            throw ExitCode(2)
        } catch {
            printError("\(url): \(error)")
            throw ExitCode(2)
        }
    }

    /// An error of the body, told apart from a failure to connect or join.
    private struct BodyFailure: Error {
        let error: any Error
    }
}

/// Prints a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
