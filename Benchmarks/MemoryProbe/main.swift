import Foundation
import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Transport

// A RawSocket server for `memory.py`: it accepts connections with both serializers, takes
// every message through the typed API (deserialized, then dropped) and prints one line per
// message, so that the driver can read this process's memory from /proc between steps.
// It answers nothing: what is measured is the cost of connections and of receiving.

let server = try await RawSocketServer.bind(
    to: .tcp(host: "127.0.0.1", port: 0), serializers: [WAMPMsgPackSerializer(), WAMPJSONSerializer()])
/// Writes one line to standard output at once (the driver waits for it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

say("listening \(server.port!)")
try await server.run { connection in
    for try await message in connection.inbound {
        var octets = 0
        if case .event(let event) = message, case .binary(let bytes)? = event.payload.args.first {
            octets = bytes.count
        }
        say("received \(message.type) with \(octets) octets of binary")
    }
}
