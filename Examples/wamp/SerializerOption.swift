import ArgumentParser
import CBORSerializer
import Foundation
import JSONSerializer
import MsgPackSerializer
import RawSocketTransport
import Transport

/// A serializer named on the command line: `json`, `msgpack` or `cbor`.
enum SerializerOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json
    case msgpack
    case cbor

    /// The plugin for this name.
    var serializer: any WAMPSerializer {
        switch self {
        case .json: return WAMPJSONSerializer()
        case .msgpack: return WAMPMsgPackSerializer()
        case .cbor: return WAMPCBORSerializer()
        }
    }

    /// The plugin for this name in a router, which forwards payloads and rarely reads them:
    /// MessagePack keeps every payload serialized, whatever its size (see
    /// `WAMPMsgPackSerializer.Configuration.serializedPayloadThreshold`), and a slice of the
    /// received buffer (`keepsPayloadSlices`: the router copies the payloads it queues).
    var routerSerializer: any WAMPSerializer {
        switch self {
        case .msgpack:
            var configuration = WAMPMsgPackSerializer.Configuration()
            configuration.serializedPayloadThreshold = 0
            configuration.keepsPayloadSlices = true
            return WAMPMsgPackSerializer(configuration: configuration)
        case .json, .cbor: return serializer
        }
    }

    /// The serializer of every `--serializer` option that is not given: JSON.
    static let standard = SerializerOption.json

    /// Every serializer, comma-separated: `json,msgpack,cbor`; the default of every
    /// `--serializers` option.
    static var all: String { allCases.map(\.rawValue).joined(separator: ",") }

    /// The help of a `--serializer` option.
    static let help = ArgumentHelp("json, msgpack or cbor.")

    /// The help of a `--serializers` option of a server.
    static let listHelp = ArgumentHelp("Accepted serializers, comma-separated, in order of preference: json, msgpack, cbor.")

    /// Parses a comma-separated list such as `json,msgpack,cbor`.
    static func list(_ text: String) throws -> [SerializerOption] {
        try text.split(separator: ",").map { name in
            guard let option = SerializerOption(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown serializer \"\(name)\"; expected json, msgpack or cbor")
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
