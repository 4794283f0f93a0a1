extension WAMPURI {
    /// `wamp.error.no_such_realm`: the ABORT reason for a HELLO to a realm the router does not
    /// have.
    public static let noSuchRealm = "wamp.error.no_such_realm"
    /// `wamp.close.system_shutdown`: the reason of the GOODBYE (or ABORT) a router sends when it
    /// shuts down.
    public static let systemShutdown = "wamp.close.system_shutdown"
    /// `wamp.error.invalid_uri`: a request named a URI that is not valid for it.
    public static let invalidURI = "wamp.error.invalid_uri"
    /// `wamp.error.not_authorized`: the router's authorizer refused the request.
    public static let notAuthorized = "wamp.error.not_authorized"
    /// `wamp.error.authentication_failed`: the ABORT reason for a login whose credentials were
    /// wrong or whose user is unknown.
    public static let authenticationFailed = "wamp.error.authentication_failed"
    /// `wamp.error.no_auth_method`: the ABORT reason for a HELLO none of whose `authmethods` the
    /// realm offers.
    public static let noAuthMethod = "wamp.error.no_auth_method"
    /// `wamp.error.authorization_failed`: the router could not decide whether the request is
    /// authorized (its authorizer failed).
    public static let authorizationFailed = "wamp.error.authorization_failed"
    /// `wamp.error.no_such_subscription`: UNSUBSCRIBE of a subscription the session does not have.
    public static let noSuchSubscription = "wamp.error.no_such_subscription"
    /// `wamp.error.no_such_session`: a meta procedure asked about a session that is not there.
    public static let noSuchSession = "wamp.error.no_such_session"
    /// `wamp.error.no_such_registration`: UNREGISTER of a registration the session does not have.
    public static let noSuchRegistration = "wamp.error.no_such_registration"
    /// `wamp.error.procedure_already_exists`: REGISTER of a procedure already registered (with
    /// the `single` invocation policy, or by the same session).
    public static let procedureAlreadyExists = "wamp.error.procedure_already_exists"
    /// `wamp.error.procedure_exists_with_different_invocation_policy`: REGISTER joining a shared
    /// registration with another `invoke` policy than the first callee's.
    public static let procedureExistsWithDifferentInvocationPolicy =
        "wamp.error.procedure_exists_with_different_invocation_policy"
    /// `wamp.error.canceled`: the call was canceled (CANCEL, dealer timeout, callee gone).
    public static let canceled = "wamp.error.canceled"
    /// `wamp.error.timeout`: the reason of the INTERRUPT for a call the dealer timed out.
    public static let timeout = "wamp.error.timeout"
    /// `wamp.error.payload_size_exceeded`: a message was larger than the receiving peer accepts.
    public static let payloadSizeExceeded = "wamp.error.payload_size_exceeded"
}
