// The same code with the serializer swapped: the transport takes whichever plugin it is
// handed, and the handshake negotiates it. Starts its own echo server on a free port.
//
//   swift run SerializerSwapExample
import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Transport

let server = try await RawSocketServer.bind(
    to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPJSONSerializer(), WAMPMsgPackSerializer()])
let serverTask = Task {
    try await server.run { connection in
        for try await message in connection.inbound { try await connection.send(message) }
    }
}

/// Written once, against the plugin protocol.
func roundTrip(with serializer: any WAMPSerializer) async throws {
    try await RawSocketClient.withConnection(to: .tcp(host: "127.0.0.1", port: server.port!), serializers: [serializer]) { connection in
        let event = WAMPMessage.event(.init(
            subscription: 1, publication: 2, payload: .arguments(["hello", 42, 3.14, .binary([1, 2, 3])], ["k": "v"])))
        try await connection.send(event)
        for try await echo in connection.inbound {
            let size = (try serializer.serialize(event) as [UInt8]).count
            print("\(connection.serializer.id.name): \(size) octets on the wire, echo equal: \(echo == event)")
            return
        }
    }
}

try await roundTrip(with: WAMPJSONSerializer())
try await roundTrip(with: WAMPMsgPackSerializer())
await server.shutdown()
serverTask.cancel()
