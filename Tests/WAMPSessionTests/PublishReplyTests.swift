import Testing
import Transport
@testable import WAMPSession

@Suite("Replies to an acknowledged publish")
struct PublishReplyTests {
    @Test("an acknowledged PUBLISH answered by anything but PUBLISHED throws .protocolViolation, as a CALL does")
    func unexpectedReplyThrows() {
        let error = #expect(throws: WAMPSessionError.self) {
            try WAMPSession.publication(from: .result(.init(request: 4)), request: 4)
        }
        #expect(error?.code == .protocolViolation)
    }

    @Test("PUBLISHED gives its publication ID")
    func publishedGivesPublication() throws {
        #expect(try WAMPSession.publication(from: .published(.init(request: 4, publication: 99)), request: 4) == 99)
    }
}
