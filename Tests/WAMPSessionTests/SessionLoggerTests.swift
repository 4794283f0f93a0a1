import Logging
import Synchronization
import Testing
import TimeGuards
import Transport
@testable import WAMPSession

/// Keeps every record logged through it.
final class RecordingLogHandlerStore: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger(label: String) -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(store: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let store: RecordingLogHandlerStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        store.records.withLock { $0.append(.init(level: event.level, message: "\(event.message)", metadata: merged)) }
    }
}

@Suite("The session's logger", .scaledTimeLimit(minutes: 1), .closesFakeTransports)
struct SessionLoggerTests {
    @Test("a call, a publication and a subscription given no logger log through the scope's logger, with the realm")
    func entryPointsDefaultToTheScopesLogger() async throws {
        let store = RecordingLogHandlerStore()
        let transport = FakeTransport(welcome: 77)
        try await WAMPSession.withSession(joining: transport, realm: "realm1", logger: store.logger(label: "test.scope")) { session in
            try await transport.router.expectHello()
            async let result = session.call("com.example.echo", args: [1])
            let call = try await transport.router.expect("CALL") { if case .call(let c) = $0 { c } else { nil } }
            transport.router.send(.result(.init(request: call.request, payload: .arguments([1], [:]))))
            _ = try await result
            _ = try await session.publish("com.example.topic", args: [2])
            _ = try await transport.router.expect("PUBLISH") { if case .publish(let p) = $0 { p } else { nil } }
        }
        let sent = store.all.filter { $0.message == "sent" }
        let types = sent.compactMap { $0.metadata["wamp.message"].map { "\($0)" } }
        #expect(types.contains("CALL"))
        #expect(types.contains("PUBLISH"))
        #expect(sent.allSatisfy { $0.metadata["wamp.realm"] == "realm1" })
    }
}
