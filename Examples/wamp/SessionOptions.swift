import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import Transport
import WAMPSession

/// The options every session subcommand takes: where, which realm, which serializer, how to
/// authenticate.
struct SessionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The router: \(TransportURL.clientSchemes)."))
    var url: String

    @Option(help: "The realm to join.")
    var realm: String = "realm1"

    @Option(help: SerializerOption.help)
    var serializer: SerializerOption = .standard

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

    @Flag(help: "Log the session's steps and messages on standard error (without it: errors only, and warnings with --reconnect).")
    var verbose = false

    @OptionGroup var tls: ClientTLSOptions

    func validate() throws {
        do {
            _ = try TransportURL(url: url)
        } catch {
            throw ValidationError("--url \(url): \(ToolFailure.text(error))")
        }
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

    /// The session's logger: on standard error (standard output carries the results), errors
    /// only unless `--verbose` (a failure is one line from ``ToolFailure``), and warnings with
    /// `--reconnect` (each attempt).
    var logger: Logger {
        var logger = Logger(label: WAMPSession.loggerLabel) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .trace : reconnect ? .warning : .error
        return logger
    }

    /// Connects, joins, runs `body` with the session and leaves. With `--reconnect` the
    /// session reconnects after a drop. Its connections run on `eventLoopGroup` (default:
    /// SwiftNIO's shared group).
    ///
    /// - Throws: what `body` throws; a failure to connect (``ToolFailure``, exit 3) or to join
    ///   (`WAMPSessionError`, its message prefixed with the realm and URL).
    func withSession<Result>(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, _ body: (WAMPSession) async throws -> Result
    ) async throws -> Result {
        let configuration = try configuration()
        let (url, realm, serializer, tls) = (self.url, self.realm, self.serializer, self.tls)
        do {
            // The session owns its transports: it opens them with the dialer (again after a drop
            // when reconnecting) and closes them when it leaves.
            return try await WAMPSession.withSession(realm: realm, configuration: configuration, logger: logger) {
                try await TransportDialer.connect(url: url, serializer: serializer, tls: tls, eventLoopGroup: eventLoopGroup)
            } _: { session in
                do {
                    return try await body(session)
                } catch {
                    throw BodyFailure(error: error)
                }
            }
        } catch let failure as BodyFailure {
            throw failure.error
        } catch let error as WAMPSessionError {
            var failure = ToolFailure(describing: error)
            failure.message = "cannot join realm \(realm) at \(url): \(failure.message)"
            throw failure
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
