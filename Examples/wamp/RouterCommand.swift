import ArgumentParser
import Logging
import ServiceLifecycle
import Transport
import WAMPRouter

/// `wamp router`: an embedded ``WAMPRouter`` (broker and dealer) behind one or more listeners.
struct RouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Run a WAMP router (broker and dealer) on RawSocket and WebSocket listeners.",
        discussion: """
            With no arguments it serves RawSocket and WebSocket (at /ws) on 127.0.0.1:8080, realm \
            realm1, open to anonymous sessions. Prints one line "listening on URL and URL ..." once \
            every listener is bound (with the real port when port 0 was asked). SIGINT or SIGTERM \
            say GOODBYE (wamp.close.system_shutdown) to every session and exit 0.

            --config FILE reads a JSON file; --listen and --realm given on the command line replace \
            the file's listeners and realms. Every key is optional; other keys are ignored. Example \
            (Examples/router-config/router.json):

              {
                "listeners": [
                  { "url": "rs://127.0.0.1:8080", "universal": true },
                  { "url": "rs+unix:///tmp/wamp-router.sock" }
                ],
                "realms": [
                  { "name": "realm1" },
                  { "name": "com.example.private", "anonymousAuthRole": "guest" }
                ],
                "limits": {
                  "outboundQueueLength": 1024,
                  "outboundQueueOctets": 16777216,
                  "sessionsPerRealm": 10000,
                  "subscriptionsPerSession": 1000,
                  "registrationsPerSession": 1000,
                  "pendingCallsPerSession": 1000
                }
              }

            listeners[].url: as --listen; listeners[].universal: as --universal (default \
            false). realms[].name: the realm URI; realms[].anonymousAuthRole: the authrole of \
            its anonymous sessions (default anonymous). limits: each one optional, defaults as \
            shown (WAMPRouter.Limits).

            Authentication and authorization, per realm (Examples/router-config/router-auth.json):

              { "name": "com.example.secure", "allowsAnonymous": false,
                "roles": [
                  { "name": "backend", "permissions": [
                      { "uri": "com.example.", "match": "prefix",
                        "allow": ["call", "register", "publish", "subscribe"] } ] },
                  { "name": "frontend", "permissions": [
                      { "uri": "com.example.api.", "match": "prefix",
                        "allow": ["call"] },
                      { "uri": "com.example..changed", "match": "wildcard",
                        "allow": ["subscribe"] } ] } ],
                "users": [
                  { "authid": "joe", "authrole": "frontend",
                    "ticket": "secret!!!" },
                  { "authid": "peter", "authrole": "backend",
                    "wampcra": { "secret": "secret2" } },
                  { "authid": "sam", "authrole": "backend",
                    "wampcra": { "secret": "secret3", "salt": "salt123",
                                 "iterations": 1000, "keyLength": 32 } },
                  { "authid": "alice", "authrole": "backend",
                    "cryptosignKeys": ["<64 hex digits>"] } ] }

            realms[].allowsAnonymous: whether sessions may join without credentials (default true). \
            realms[].users: authid, authrole and one or more of ticket, wampcra (secret; salt, \
            iterations default 1000, keyLength default 32) and cryptosignKeys (Ed25519 public keys in \
            hex). realms[].roles: when given, a session may call, register, publish and subscribe only \
            what a permission of its authrole allows (match exact, the default, prefix or wildcard); \
            anything else gets ERROR wamp.error.not_authorized. Without roles everything is allowed. \
            Wrong credentials get ABORT wamp.error.authentication_failed.
            """)

    /// The listener when neither the command line nor the config file names one.
    static let defaultListener = RouterConfigFile.Listener(url: "rs://127.0.0.1:8080", universal: true)

    @Option(help: ArgumentHelp("""
        Where to listen (repeatable): \(TransportURL.serverSchemes). Default: RawSocket and \
        WebSocket (/ws) on 127.0.0.1:8080.
        """))
    var listen: [TransportURL] = []

    @Flag(help: "Serve RawSocket and WebSocket on each --listen URL's TCP port (WebSocket at a ws:// URL's path, /ws for rs://).")
    var universal = false

    @Option(help: "A realm to offer, open to anonymous sessions (repeatable). Default: realm1.")
    var realm: [String] = []

    @Option(help: SerializerOption.listHelp)
    var serializers: String = SerializerOption.all

    @Option(help: "A JSON file with listeners, realms and limits (see above).")
    var config: String?

    @Option(help: "The largest message accepted (RawSocket: a power of two from 512 to 16777216).")
    var maxReceiveLength: Int = 1 << 24

    /// The certificate and key of every rss:// and wss:// listener.
    @OptionGroup var tls: ServerTLSOptions

    @Flag(help: "Log the router's and the transports' activity to standard error.")
    var verbose = false

    /// Stops after this many connections have ended, with no signal handler: for valgrind's
    /// callgrind (see `ConnectionCountdown`).
    @Option(help: .hidden)
    var exitAfterConnections: Int?

    func validate() throws {
        _ = try SerializerOption.list(serializers)
    }

    func run() async throws {
        let file = try config.map(RouterConfigFile.read)
        let plugins = try SerializerOption.list(serializers).map(\.routerSerializer)
        let tlsConfiguration = try tls.configuration()
        var logger = Logger(label: "wamp.router")
        logger.logLevel = verbose ? .trace : .warning

        var configuration = WAMPRouter.Configuration()
        if !realm.isEmpty {
            configuration.realms = realm.map { WAMPRouter.Realm($0) }
        } else if let realms = file?.realms {
            do {
                configuration.realms = try realms.map { try $0.realm() }
            } catch let error as ValidationError {
                throw ValidationError("invalid config file \(config ?? ""): \(error.message)")
            }
        }
        if let limits = file?.limits {
            do {
                configuration.limits = try limits.limits()
            } catch let error as ValidationError {
                throw ValidationError("invalid config file \(config ?? ""): \(error.message)")
            }
        }
        let router = WAMPRouter(configuration: configuration, logger: logger)

        let listeners: [(url: TransportURL, universal: Bool)]
        if !listen.isEmpty {
            listeners = listen.map { ($0, universal) }
        } else {
            listeners = try (file?.listeners ?? [Self.defaultListener]).map { listener in
                do {
                    return (try TransportURL(url: listener.url), listener.universal ?? false)
                } catch {
                    throw ValidationError("invalid listener URL \(listener.url) in \(config ?? ""): \(error)")
                }
            }
        }
        let countdown = exitAfterConnections.map(ConnectionCountdown.init(connections:))
        var servers: [any Service] = []
        var listening: [String] = []
        for listener in listeners where listener.url.usesTLS && tlsConfiguration == nil {
            throw ValidationError("\(listener.url) needs --tls-cert and --tls-key")
        }
        for listener in listeners {
            // TLS on the rss:// and wss:// listeners only: one router may serve both.
            let server = try await TransportDialer.bind(
                listener.url, serializers: plugins, universal: listener.universal, maxReceiveLength: maxReceiveLength,
                maxConnections: nil, tls: listener.url.usesTLS ? tlsConfiguration : nil, logger: logger
            ) { connection in
                await router.serve(connection)
                await countdown?.connectionEnded()
            }
            servers.append(server.service)
            listening.append(server.listening)
        }
        printLine("listening on \(listening.joined(separator: " and ")), realms \(router.realms.joined(separator: ", "))")
        // The router last: graceful shutdown stops it first (GOODBYE to every session, each
        // connection closed), then the servers.
        try await TransportDialer.runUntilSignal(servers + [router], logger: logger, countdown: countdown)
    }
}
