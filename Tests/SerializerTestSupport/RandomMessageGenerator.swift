public import Transport

/// Builds random but valid typed messages: IDs across 1 ... 2^53, loosely valid URIs, and
/// payload values mixing every ``WAMPValue`` case with edge numbers and non-ASCII strings.
public struct RandomMessageGenerator {
    public var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    public mutating func bool() -> Bool { Bool.random(using: &rng) }
    public mutating func pick<T>(_ options: [T]) -> T { options[int(0 ... options.count - 1)] }

    public mutating func id() -> WAMPID {
        switch int(0 ... 3) {
        case 0: return pick([1, 2, 127, 128, 255, 256, 65535, 65536, 1 << 32, WAMPID.wampMax])
        case 1: return UInt64(int(1 ... 1000))
        default: return UInt64.random(in: WAMPID.wampRange, using: &rng)
        }
    }

    public mutating func string() -> String {
        let pieces = ["a", "z", "0", "_", " ", ".", "#", "é", "ß", "ü", "中", "文", "😀", "👍🏽", "\u{0}", "\n", "\"", "\\"]
        return (0 ..< int(0 ... 12)).map { _ in pick(pieces) }.joined()
    }

    public mutating func longString() -> String {
        String(repeating: pick(["x", "é", "中"]), count: pick([31, 32, 255, 256, 300, 70000]))
    }

    public mutating func uri() -> String {
        let components = ["com", "example", "a", "b_c", "x1", "ü", "topic", "procedure"]
        return (0 ..< int(1 ... 5)).map { _ in pick(components) }.joined(separator: ".")
    }

    public mutating func integer() -> WAMPValue {
        switch int(0 ... 2) {
        case 0:
            return .integer(pick([
                0, 1, -1, 31, 32, 127, 128, -32, -33, -128, -129, 255, 256, 32767, -32768, 65535, 65536,
                Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max), Int64(UInt32.max) + 1, Int64.max, Int64.min,
            ]))
        case 1: return .integer(Int64.random(in: .min ... .max, using: &rng))
        default: return .unsignedInteger(UInt64.random(in: (UInt64(Int64.max) + 1) ... .max, using: &rng))
        }
    }

    public mutating func double() -> WAMPValue {
        if bool() {
            return .double(pick([
                0.0, -0.0, 1.0, 1.5, -2.25, .pi, 1e300, -1e-300, .infinity, -.infinity, .nan,
                .greatestFiniteMagnitude, .leastNonzeroMagnitude, Double(Float.greatestFiniteMagnitude),
            ]))
        }
        return .double(Double.random(in: -1e9 ... 1e9, using: &rng))
    }

    public mutating func value(depth: Int) -> WAMPValue {
        switch int(0 ... (depth >= 4 ? 7 : 9)) {
        case 0: return .null
        case 1: return .bool(bool())
        case 2, 3: return integer()
        case 4: return double()
        case 5: return .string(int(0 ... 20) == 0 ? longString() : string())
        case 6: return .binary((0 ..< pick([0, 1, 5, 31, 300])).map { _ in UInt8.random(in: 0 ... 255, using: &rng) })
        case 7: return .string(uri())
        case 8: return .list(list(depth: depth + 1))
        default: return .dict(dict(depth: depth + 1))
        }
    }

    public mutating func list(depth: Int) -> [WAMPValue] {
        (0 ..< int(0 ... (bool() ? 4 : 20))).map { _ in value(depth: depth) }
    }

    public mutating func dict(depth: Int) -> [String: WAMPValue] {
        var dict: [String: WAMPValue] = [:]
        for _ in 0 ..< int(0 ... 6) { dict[bool() ? string() : uri()] = value(depth: depth) }
        return dict
    }

    public mutating func payload() -> WAMPPayload {
        switch int(0 ... 4) {
        case 0: return .empty
        case 1: return .arguments(list(depth: 2), [:])
        case 2: return .arguments([], dict(depth: 2))
        case 3: return .arguments(list(depth: 2), dict(depth: 2))
        default: return .transparent((0 ..< int(0 ... 64)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) })
        }
    }

    public mutating func message() -> WAMPMessage {
        switch int(0 ... 25) {
        case 0: return .hello(.init(realm: uri(), details: dict(depth: 2)))
        case 1: return .welcome(.init(session: id(), details: dict(depth: 2)))
        case 2: return .abort(.init(details: dict(depth: 2), reason: uri(), payload: payload()))
        case 3: return .challenge(.init(authMethod: string(), extra: dict(depth: 2)))
        case 4: return .authenticate(.init(signature: string(), extra: dict(depth: 2)))
        case 5: return .goodbye(.init(details: dict(depth: 2), reason: uri()))
        case 6:
            return .error(.init(
                requestType: pick(Array(WAMPMessageType.errorRequestTypes)), request: id(),
                details: dict(depth: 2), error: uri(), payload: payload()))
        case 7: return .publish(.init(request: id(), options: dict(depth: 2), topic: uri(), payload: payload()))
        case 8: return .published(.init(request: id(), publication: id()))
        case 9: return .subscribe(.init(request: id(), options: dict(depth: 2), topic: uri()))
        case 10: return .subscribed(.init(request: id(), subscription: id()))
        case 11: return .unsubscribe(.init(request: id(), subscription: id()))
        case 12:
            return bool() ? .unsubscribed(.init(request: id())) : .unsubscribed(.init(request: bool() ? 0 : id(), details: dict(depth: 2)))
        case 13: return .event(.init(subscription: id(), publication: id(), details: dict(depth: 2), payload: payload()))
        case 14: return .call(.init(request: id(), options: dict(depth: 2), procedure: uri(), payload: payload()))
        case 15: return .cancel(.init(request: id(), options: dict(depth: 2)))
        case 16: return .result(.init(request: id(), details: dict(depth: 2), payload: payload()))
        case 17: return .register(.init(request: id(), options: dict(depth: 2), procedure: uri()))
        case 18: return .registered(.init(request: id(), registration: id()))
        case 19: return .unregister(.init(request: id(), registration: id()))
        case 20:
            return bool() ? .unregistered(.init(request: id())) : .unregistered(.init(request: bool() ? 0 : id(), details: dict(depth: 2)))
        case 21: return .invocation(.init(request: id(), registration: id(), details: dict(depth: 2), payload: payload()))
        case 22: return .interrupt(.init(request: id(), options: dict(depth: 2)))
        case 23: return .yield(.init(request: id(), options: dict(depth: 2), payload: payload()))
        case 24: return .eventReceived(.init(publication: id()))
        default:
            return .unknown(.init(type: WAMPMessageType(rawValue: Int64(int(256 ... 1023))), arguments: list(depth: 1)))
        }
    }
}
