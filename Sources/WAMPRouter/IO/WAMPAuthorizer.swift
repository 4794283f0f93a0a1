/// Decides whether a session may subscribe, publish, register or call: the router asks it for
/// each such request before routing it (set ``WAMPRouter/Configuration/authorizer``).
///
/// A refusal is answered with ERROR `wamp.error.not_authorized` (for PUBLISH only when the
/// publisher asked for an acknowledgement); an authorizer that throws is answered with
/// `wamp.error.authorization_failed`. The router waits for the answer before it reads the
/// session's next message, so the session's requests keep their order.
///
/// ```swift
/// struct ReadOnlyGuests: WAMPAuthorizer {
///     func authorize(_ request: WAMPAuthorizationRequest) async throws -> Bool {
///         request.session.authrole != "guest" || request.action == .subscribe
///     }
/// }
/// ```
public protocol WAMPAuthorizer: Sendable {
    /// Whether `request` may go ahead.
    func authorize(_ request: WAMPAuthorizationRequest) async throws -> Bool
}
