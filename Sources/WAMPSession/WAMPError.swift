public import Transport

/// An application error carried by a WAMP ERROR message: the error URI with its arguments.
///
/// ``WAMPSession/call(_:args:kwargs:options:logger:)`` throws it when the callee or the dealer answers
/// with ERROR; a procedure handler throws it to answer an INVOCATION with that ERROR.
///
/// ```swift
/// do {
///     _ = try await session.call("com.example.divide", args: [1, 0])
/// } catch let error as WAMPError where error.uri == "com.example.division_by_zero" {
///     print(error.args)
/// }
/// ```
public struct WAMPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error URI, such as `wamp.error.no_such_procedure`.
    public var uri: String
    /// Positional error arguments.
    public var args: [WAMPValue]
    /// Keyword error arguments.
    public var kwargs: [String: WAMPValue]
    /// The ERROR message's details.
    public var details: [String: WAMPValue]

    /// Creates an error.
    public init(
        _ uri: String, args: [WAMPValue] = [], kwargs: [String: WAMPValue] = [:], details: [String: WAMPValue] = [:]
    ) {
        self.uri = uri
        self.args = args
        self.kwargs = kwargs
        self.details = details
    }

    /// The error of a received ERROR message.
    public init(_ message: WAMPMessage.Error) {
        let payload = message.payload.decoded  // once: a serialized payload decodes on each read
        self.init(message.error, args: payload.args, kwargs: payload.kwargs, details: message.details)
    }

    /// `wamp.error.canceled`: the call was canceled.
    public static let canceledURI = "wamp.error.canceled"
    /// `wamp.error.runtime_error`: a handler failed with an error that is not a ``WAMPError``.
    public static let runtimeErrorURI = "wamp.error.runtime_error"
    /// `wamp.error.no_such_registration`.
    public static let noSuchRegistrationURI = "wamp.error.no_such_registration"

    public var description: String {
        var text = "WAMP error \(uri)"
        if !args.isEmpty { text += " args \(WAMPValue.list(args))" }
        if !kwargs.isEmpty { text += " kwargs \(WAMPValue.dict(kwargs))" }
        return text
    }
}
