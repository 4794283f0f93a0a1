// A RawSocket server that accepts JSON and MessagePack clients and answers each CALL of
// "com.example.add" with the sum of its arguments.
//
//   swift run ServerExample              # listens on rs://127.0.0.1:8080
//   swift run ClientExample              # in another terminal
import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Transport

let server = try await RawSocketServer.bind(
    to: .tcp(host: "127.0.0.1", port: 8080),
    serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()]  // the client's choice selects one
)
print("listening on rs://127.0.0.1:\(server.port ?? 8080)")

try await server.run { connection in
    print("client connected, serializer \(connection.serializer.id), it accepts up to \(connection.maxSendLength) octets")
    for try await message in connection.inbound {
        switch message {
        case .hello:
            try await connection.send(.welcome(.init(session: 1, details: ["roles": ["dealer": [:]]])))
        case .call(let call) where call.procedure == "com.example.add":
            let sum = call.args.compactMap(\.int64Value).reduce(0, +)
            try await connection.send(.result(.init(request: call.request, payload: .arguments([.integer(sum)], [:]))))
        case .call(let call):
            try await connection.send(.error(.init(
                requestType: .call, request: call.request, error: WAMPURI.noSuchProcedure)))
        case .goodbye:
            try await connection.send(.goodbye(.init(reason: WAMPURI.goodbyeAndOut)))
            return
        default:
            break
        }
    }
}
