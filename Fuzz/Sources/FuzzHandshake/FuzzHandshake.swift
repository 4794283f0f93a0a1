@_spi(SansIO) import RawSocketTransport

/// libFuzzer entry point: the first 4 octets as a RawSocket handshake word, parsed as a
/// server parses a request and as a client parses a reply (for every serializer it could
/// have asked for), and fed to the state machine in both roles. A fifth octet, when present,
/// picks the server's accepted serializers and refusal.
///
/// Errors are fine; an accepted word must re-encode to itself, and a crash is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return -1 }  // too short: keep it out of the corpus
    let word = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
    let control: UInt8 = size > 4 ? data[4] : 0

    // As a request (server side).
    do {
        switch try RawSocketHandshake.Request.parse(word) {
        case .request(let request):
            check(RawSocketHandshake.isValidMaxLength(request.maxLength), "request max length \(request.maxLength)")
            check((1 ... 15).contains(request.serializer), "request serializer \(request.serializer)")
            check(request.encoded == word, "request 0x\(String(word, radix: 16)) re-encodes as 0x\(String(request.encoded, radix: 16))")
        case .refuse(let code, _):
            check(code == .serializerUnsupported || code == .reservedBitsUsed, "refusal code \(code)")
            // The refusal reply must parse as a refusal carrying that code.
            do {
                _ = try RawSocketHandshake.Reply.parse(RawSocketHandshake.Reply.refused(code).encoded, requestedSerializer: 1)
                check(false, "a refusal reply parsed as accepted")
            } catch {
                check(error.code == .handshakeRefused && error.handshakeErrorCode == code, "refusal reply: \(error)")
            }
        }
    } catch {
        check(error.code == .badMagic, "request error \(error)")
        check(data[0] != RawSocketHandshake.magic, "badMagic with magic 0x7f")
    }

    // As a reply (client side), for every serializer the client could have asked for.
    for requested: UInt8 in 1 ... 15 {
        do {
            let maxLength = try RawSocketHandshake.Reply.parse(word, requestedSerializer: requested)
            check(RawSocketHandshake.isValidMaxLength(maxLength), "reply max length \(maxLength)")
            let reencoded = RawSocketHandshake.Reply.accepted(maxLength: maxLength, serializer: requested).encoded
            check(reencoded == word, "reply 0x\(String(word, radix: 16)) re-encodes as 0x\(String(reencoded, radix: 16))")
        } catch {
            check(
                [.badMagic, .reservedBitsSet, .handshakeRefused, .serializerMismatch].contains(error.code),
                "reply error \(error)")
        }
    }

    // Both roles of the state machine.
    let clientSerializer = UInt8(control & 0x0F) == 0 ? 1 : control & 0x0F
    var client = RawSocketStateMachine(role: .client(serializer: clientSerializer), maxReceiveLength: 1 << 16, maxPings: 2)
    if let request = client.start() {
        check((try? RawSocketHandshake.Request.parse(request)) == .request(
            .init(maxLength: 1 << 16, serializer: clientSerializer)), "the client's own request does not parse")
    }
    if case .completed(let negotiation, let reply) = client.handshakeReceived(word) {
        check(reply == nil && negotiation.serializer == clientSerializer, "client negotiation \(negotiation)")
        check(RawSocketHandshake.isValidMaxLength(negotiation.maxSendLength), "client send limit \(negotiation)")
    }
    if case .fail = client.handshakeReceived(word) {} else { check(false, "a second handshake word was accepted") }

    let accepted: [UInt8] = (1 ... 15).filter { (Int(control) >> ($0 % 8)) & 1 == 1 }
    let refusal = control & 0x80 != 0 ? RawSocketHandshakeErrorCode(encoded: control & 0x0F) : nil
    var server = RawSocketStateMachine(
        role: .server(acceptedSerializers: accepted, refusal: refusal), maxReceiveLength: 1 << 20, maxPings: 2)
    check(server.start() == nil, "a server wrote a request")
    switch server.handshakeReceived(word) {
    case .completed(let negotiation, let reply):
        check(refusal == nil && accepted.contains(negotiation.serializer), "server accepted \(negotiation)")
        if let reply {
            check((try? RawSocketHandshake.Reply.parse(reply, requestedSerializer: negotiation.serializer)) == 1 << 20,
                  "the server's reply does not parse")
        } else {
            check(false, "a server completed without a reply")
        }
    case .refuse(let reply, _, _):
        do {
            _ = try RawSocketHandshake.Reply.parse(reply, requestedSerializer: 1)
            check(false, "a refusal reply parsed as accepted")
        } catch {
            check(error.code == .handshakeRefused, "refusal reply: \(error)")
        }
    case .fail(let code, _):
        check(code == .badMagic, "server failure \(code)")
    }

    // The same word as a frame header, under a limit derived from the input.
    let limit = 1 << (9 + Int(control >> 4))
    if let header = try? RawSocketFrameHeader(parsing: word, maxLength: limit) {
        check(header.length <= limit && header.type.isDefined, "header \(header)")
        check(header.encoded == word, "header 0x\(String(word, radix: 16)) re-encodes as 0x\(String(header.encoded, radix: 16))")
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzHandshake: \(message())") }
}
