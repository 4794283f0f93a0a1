import ArgumentParser
import Foundation
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

    /// Connects, joins, runs `body` with the session and leaves. A failure to connect or join
    /// prints the error on standard error and exits with status 2. With `--reconnect` the
    /// session reconnects after a drop.
    func withSession<Result: Sendable>(_ body: (WAMPSession) async throws -> Result) async throws -> Result {
        let configuration = try configuration()
        let (url, realm, serializer, tls) = (self.url, self.realm, self.serializer, self.tls)
        do {
            let session: WAMPSession
            do {
                // The session owns its transports: it opens them with the dialer (again after a
                // drop when reconnecting) and closes them when it leaves.
                session = try await WAMPSession.connect(realm: realm, configuration: configuration) {
                    try await TransportDialer.connect(url: url, serializer: serializer, tls: tls)
                }
            } catch let error as WAMPSessionError {
                throw JoinFailure(error: error)
            }
            do {
                let result = try await body(session)
                await session.leave()
                return result
            } catch {
                await session.leave()
                throw error
            }
        } catch let failure as JoinFailure {
            printError("could not join realm \(realm) at \(url): \(failure.error)")
            throw ExitCode(2)
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch let error as WAMPError {
            throw error
        } catch {
            printError("\(url): \(error)")
            throw ExitCode(2)
        }
    }

    private struct JoinFailure: Error {
        let error: any Error
    }
}

/// Prints a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
