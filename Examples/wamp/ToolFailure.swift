import ArgumentParser
import RawSocketTransport
import Transport
import WAMPSession
import WebSocketTransport

/// Why a `wamp` subcommand failed: one plain line for standard error and the exit status.
///
/// Every error a subcommand throws goes through ``init(describing:)``, the one place where
/// errors become messages and exit codes (see ``ToolExitCode``); the dialer adds where it
/// failed with ``connecting(to:_:)`` and ``listening(on:_:)``. Subcommands throw a
/// `ToolFailure` themselves for failures of their own (a `soak` check).
struct ToolFailure: Error, CustomStringConvertible {
    /// The exit status.
    var code: ToolExitCode
    /// One line naming what failed and where; empty when it was already printed.
    var message: String

    init(_ code: ToolExitCode, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }

    /// The message and exit status for any error.
    init(describing error: any Error) {
        switch error {
        case let failure as ToolFailure:
            self = failure
        case let error as WAMPError:
            // The router's own answer, as JSON (documented for `wamp call`).
            self.init(.wampError, JSONText.errorLine(error))
        case let error as WAMPSessionError:
            self.init(Self.code(for: error), Self.text(error))
        case let error as any WAMPTransportError:
            self.init(Self.code(for: error), Self.text(error))
        case let error as ValidationError:
            self.init(.usage, error.message)
        case let error as ExitCode:
            // Printed already by whoever threw it.
            self.init(ToolExitCode(rawValue: error.rawValue) ?? .failure, "")
        default:
            self.init(.failure, Self.text(error))
        }
    }

    /// A failure to connect to `url`: `cannot connect to rs://127.0.0.1:1: connection refused`.
    static func connecting(to url: some CustomStringConvertible, _ error: any Error) -> ToolFailure {
        located(error, "cannot connect to \(url)", code: .cannotConnect)
    }

    /// A failure to listen on `url`: `cannot listen on 127.0.0.1:8080: address already in use`.
    static func listening(on url: some CustomStringConvertible, _ error: any Error) -> ToolFailure {
        located(error, "cannot listen on \(url)", code: .cannotListen)
    }

    /// `error` described, with `place` in front unless the message names it already, and
    /// `code` unless the error is a usage error.
    private static func located(_ error: any Error, _ place: String, code: ToolExitCode) -> ToolFailure {
        var failure = ToolFailure(describing: error)
        if failure.code == .usage || error is ToolFailure { return failure }
        failure.code = code
        let verb = place.split(separator: " ").prefix(2).joined(separator: " ")  // "cannot connect"
        if !failure.message.hasPrefix(verb) { failure.message = "\(place): \(failure.message)" }
        return failure
    }

    /// The exit status for a transport error outside of connecting and listening.
    private static func code(for error: any WAMPTransportError) -> ToolExitCode {
        switch error.kind {
        case .invalidURL, .invalidConfiguration: .usage
        case .refused: .cannotConnect
        default: .connectionLost
        }
    }

    /// The exit status for a session error.
    private static func code(for error: WAMPSessionError) -> ToolExitCode {
        switch error.code {
        case .aborted, .authenticationFailed: .wampError
        case .joinTimedOut: .cannotConnect
        case .invalidArgument: .usage
        case .connectionLost, .protocolViolation, .sessionClosed, .notJoined, .callTimedOut: .connectionLost
        default: .failure
        }
    }

    /// The plain words of an error: the message of the library's errors (without the type and
    /// the cause's dump), socket errors in words.
    static func text(_ error: any Error) -> String {
        switch error {
        case let error as ToolFailure: return error.message
        case let error as RawSocketError: return error.message
        case let error as WebSocketError: return error.message
        case let error as WAMPSessionError:
            guard let cause = error.cause else { return error.message }
            return "\(error.message): \(text(cause))"
        case let error as ValidationError: return error.message
        default: return SocketErrorText.describe(error)
        }
    }
}
