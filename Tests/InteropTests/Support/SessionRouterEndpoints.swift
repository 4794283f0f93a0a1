import RawSocketTransport

/// Where the session checks (``SessionRouterChecks``) reach the router under test, Crossbar.io
/// or the embedded ``EmbeddedRouter``: RawSocket on loopback, realm `realm1` open to anonymous
/// sessions, JSON, MessagePack and CBOR.
struct SessionRouterEndpoints: Sendable {
    /// TCP 127.0.0.1, messages up to 4 MiB.
    let tcp: RawSocketEndpoint
    /// A Unix socket, messages up to 4 MiB.
    let unix: RawSocketEndpoint
    /// TCP 127.0.0.1, messages up to 65536 octets.
    let smallLimitTCP: RawSocketEndpoint
    /// TCP 127.0.0.1 where realm `authrealm` takes the users of
    /// ``SessionRouterChecks/authCases`` (role `authenticated`, everything allowed).
    let authTCP: RawSocketEndpoint

    /// The endpoints of the shared Crossbar.io router.
    init(_ crossbar: CrossbarRouter.Endpoints) {
        self.init(tcp: crossbar.tcp, unix: crossbar.unix, smallLimitTCP: crossbar.smallLimitTCP, authTCP: crossbar.authTCP)
    }

    init(tcp: RawSocketEndpoint, unix: RawSocketEndpoint, smallLimitTCP: RawSocketEndpoint, authTCP: RawSocketEndpoint) {
        self.tcp = tcp
        self.unix = unix
        self.smallLimitTCP = smallLimitTCP
        self.authTCP = authTCP
    }
}
