import Transport

/// A transport that prints every message it sends and receives, labelled with the session's
/// name, its transport and its serializer, as a transcript line: `wamp demo` wraps its
/// sessions' transports in it.
struct TranscriptTransport<Base: WAMPTransport>: WAMPTransport {
    let base: Base
    /// "A rawsocket/msgpack".
    let label: String

    /// Wraps `base`; `label` names the session in the transcript.
    init(_ base: Base, session name: String, transport: String) {
        self.base = base
        self.label = "\(name) \(transport)/\(base.serializer.id.name)"
    }

    var serializer: any WAMPSerializer { base.serializer }
    var maxSendLength: Int { base.maxSendLength }
    var executor: (any TaskExecutor)? { base.executor }

    var inbound: AsyncThrowingMapSequence<Base.Inbound, WAMPMessage> {
        let label = self.label
        return base.inbound.map { @Sendable message in
            printLine("\(label)  ← router   \(message)")
            return message
        }
    }

    func send(_ message: WAMPMessage) async throws {
        printLine("\(label)  → router   \(message)")
        try await base.send(message)
    }

    func close() async throws {
        try await base.close()
    }
}
