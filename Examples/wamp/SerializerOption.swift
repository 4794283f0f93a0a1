import ArgumentParser
import Foundation
import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Transport

/// A serializer named on the command line: `json` or `msgpack`.
enum SerializerOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json
    case msgpack

    /// The plugin for this name.
    var serializer: any WAMPSerializer {
        switch self {
        case .json: return WAMPJSONSerializer()
        case .msgpack: return WAMPMsgPackSerializer()
        }
    }

    /// Parses a comma-separated list such as `json,msgpack`.
    static func list(_ text: String) throws -> [SerializerOption] {
        try text.split(separator: ",").map { name in
            guard let option = SerializerOption(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown serializer \"\(name)\"; expected json or msgpack")
            }
            return option
        }
    }
}

extension RawSocketEndpoint: ExpressibleByArgument {
    public init?(argument: String) {
        guard let endpoint = try? RawSocketEndpoint(url: argument) else { return nil }
        self = endpoint
    }
}

/// Prints a line to standard output and flushes it at once, so that a reader of a pipe or a
/// log file (scripts waiting for `listening on`) sees it immediately.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
