// A RawSocket client: joins a realm, calls a procedure, leaves.
//
//   swift run ServerExample &            # or any WAMP router with a RawSocket transport
//   swift run ClientExample rs://127.0.0.1:8080
import JSONSerializer
import RawSocketTransport
import Transport

let url = CommandLine.arguments.dropFirst().first ?? "rs://127.0.0.1:8080"

try await RawSocketClient.withConnection(to: try RawSocketEndpoint(url: url), serializers: [WAMPJSONSerializer()]) { connection in
    print("connected: \(connection.serializer.id), the peer accepts up to \(connection.maxSendLength) octets")
    var inbound = connection.inbound.makeAsyncIterator()

    try await connection.send(.hello(.init(realm: "realm1", details: ["roles": ["caller": [:]]])))
    guard case .welcome(let welcome)? = try await inbound.next() else { fatalError("not welcomed") }
    print("joined realm1 as session \(welcome.session)")

    try await connection.send(.call(.init(request: 1, procedure: "com.example.add", payload: .arguments([2, 3], [:]))))
    if case .result(let result)? = try await inbound.next() {
        print("com.example.add(2, 3) = \(result.args.first ?? nil)")
    }

    try await connection.send(.goodbye(.init()))
    _ = try await inbound.next()
}
