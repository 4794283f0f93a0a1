/// Finds the user a HELLO names, wherever users are kept (a database, a directory, a file read
/// at each login): set ``WAMPRouter/Configuration/authenticator``. The router then checks the
/// credentials itself (the ticket, the WAMP-CRA signature, the cryptosign signature) against the
/// returned ``WAMPUser``, so an authenticator never sees a signature.
///
/// For the methods in ``authMethods`` it replaces the realm's static
/// ``WAMPRouter/Realm/users``; sessions it admits get `authprovider` `dynamic`. With
/// ``WAMPAuthMethod/anonymous`` among its methods it also decides about anonymous sessions
/// (the returned user's authid and authrole are used; nothing is checked).
///
/// ```swift
/// struct Directory: WAMPAuthenticator {
///     let database: UserDatabase
///     var authMethods: Set<WAMPAuthMethod> { [.ticket] }
///     func user(for request: WAMPAuthenticationRequest) async throws -> WAMPUser? {
///         guard let authid = request.authid, let row = try await database.user(authid) else { return nil }
///         return WAMPUser(authid: authid, authrole: row.role, ticket: row.ticket)
///     }
/// }
/// ```
///
/// No user (`nil`) ends the login with ABORT `wamp.error.authentication_failed`; an error
/// thrown ends it with ABORT `wamp.error.authentication_failed` naming the error. The router
/// reads nothing more from the connection until the answer.
public protocol WAMPAuthenticator: Sendable {
    /// The methods it looks users up for.
    var authMethods: Set<WAMPAuthMethod> { get }

    /// The user `request` names, `nil` when there is none.
    func user(for request: WAMPAuthenticationRequest) async throws -> WAMPUser?
}
