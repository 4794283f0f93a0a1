// A seeded generator of random typed WAMP messages, for round-trip tests.
//
// Self-contained on purpose: it depends on the Transport module only, so that another test
// target (a serializer's, a transport's) can copy this file unchanged.

import Transport

/// SplitMix64: a small, fast, seedable random number generator; the same seed gives the same
/// sequence on every platform and Swift version.
struct SeededRandomNumberGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random, valid WAMP messages of every type, with random payloads: nested lists and dicts,
/// integers of every size (including `UInt64.max`), doubles, booleans, Unicode strings,
/// binary values, and payloads in passthru mode.
///
/// Every message it makes is valid, so `WAMPMessage(elements: m.elements) == m` must hold,
/// and a serializer must give back an equal message.
///
/// Values that not every format can carry are left out: doubles are finite (JSON has no NaN
/// or infinity), and strings contain no U+0000 (in JSON a string starting with U+0000 is a
/// binary value).
struct RandomMessages {
    /// Every message type the typed ``WAMPMessage`` knows.
    static let knownTypes: [WAMPMessageType] = [
        .hello, .welcome, .abort, .challenge, .authenticate, .goodbye, .error,
        .publish, .published, .subscribe, .subscribed, .unsubscribe, .unsubscribed, .event,
        .call, .cancel, .result, .register, .registered, .unregister, .unregistered,
        .invocation, .interrupt, .yield, .eventReceived,
    ]

    var random: SeededRandomNumberGenerator
    /// How deep lists and dicts nest inside a payload value.
    var maxDepth = 3
    /// The most elements of a generated list or entries of a generated dict.
    var maxCount = 5

    init(seed: UInt64) { random = SeededRandomNumberGenerator(seed: seed) }

    /// A message of a random type; one in 26 has a type code this library does not know.
    mutating func message() -> WAMPMessage {
        let index = Int.random(in: 0 ... Self.knownTypes.count, using: &random)
        return index == Self.knownTypes.count ? unknownMessage() : message(of: Self.knownTypes[index])
    }

    /// A message of the given known type.
    mutating func message(of type: WAMPMessageType) -> WAMPMessage {
        switch type {
        case .hello: return .hello(.init(realm: uri(), details: dict()))
        case .welcome: return .welcome(.init(session: id(), details: dict()))
        case .abort: return .abort(.init(details: dict(), reason: uri(), payload: payload()))
        case .challenge: return .challenge(.init(authMethod: string(), extra: dict()))
        case .authenticate: return .authenticate(.init(signature: string(), extra: dict()))
        case .goodbye: return .goodbye(.init(details: dict(), reason: uri()))
        case .error:
            let requestTypes: [WAMPMessageType] = [.subscribe, .unsubscribe, .publish, .register, .unregister, .invocation, .call]
            return .error(
                .init(
                    requestType: requestTypes.randomElement(using: &random)!, request: id(), details: dict(),
                    error: uri(), payload: payload()))
        case .publish: return .publish(.init(request: id(), options: dict(), topic: uri(), payload: payload()))
        case .published: return .published(.init(request: id(), publication: id()))
        case .subscribe: return .subscribe(.init(request: id(), options: dict(), topic: uri()))
        case .subscribed: return .subscribed(.init(request: id(), subscription: id()))
        case .unsubscribe: return .unsubscribe(.init(request: id(), subscription: id()))
        case .unsubscribed:
            // The advanced form may carry request 0 (a router-initiated revocation).
            return chance(2)
                ? .unsubscribed(.init(request: id()))
                : .unsubscribed(.init(request: chance(2) ? 0 : id(), details: dict()))
        case .event:
            return .event(.init(subscription: id(), publication: id(), details: dict(), payload: payload()))
        case .call: return .call(.init(request: id(), options: dict(), procedure: uri(), payload: payload()))
        case .cancel: return .cancel(.init(request: id(), options: dict()))
        case .result: return .result(.init(request: id(), details: dict(), payload: payload()))
        case .register: return .register(.init(request: id(), options: dict(), procedure: uri()))
        case .registered: return .registered(.init(request: id(), registration: id()))
        case .unregister: return .unregister(.init(request: id(), registration: id()))
        case .unregistered:
            return chance(2)
                ? .unregistered(.init(request: id()))
                : .unregistered(.init(request: chance(2) ? 0 : id(), details: dict()))
        case .invocation:
            return .invocation(.init(request: id(), registration: id(), details: dict(), payload: payload()))
        case .interrupt: return .interrupt(.init(request: id(), options: dict()))
        case .yield: return .yield(.init(request: id(), options: dict(), payload: payload()))
        case .eventReceived: return .eventReceived(.init(publication: id()))
        default: preconditionFailure("\(type) is not a known message type")
        }
    }

    /// A message with an extension code (256 ... 1023, but not 337) and random elements.
    mutating func unknownMessage() -> WAMPMessage {
        var code = Int64.random(in: 256 ... 1023, using: &random)
        if code == WAMPMessageType.eventReceived.rawValue { code += 1 }
        let arguments = (0 ..< Int.random(in: 0 ... maxCount, using: &random)).map { _ in value(depth: 1) }
        return .unknown(.init(type: WAMPMessageType(rawValue: code), arguments: arguments))
    }

    /// `true` with a chance of one in `n`.
    mutating func chance(_ n: Int) -> Bool { Int.random(in: 0 ..< n, using: &random) == 0 }

    /// A valid ID, often one of the edges 1 and 2^53.
    mutating func id() -> WAMPID {
        switch Int.random(in: 0 ..< 8, using: &random) {
        case 0: return 1
        case 1: return 1 << 53
        case 2: return UInt64.random(in: 1 ... 1000, using: &random)
        default: return UInt64.random(in: 1 ... (1 << 53), using: &random)
        }
    }

    /// A valid URI: dot-separated components, mostly strict (`com.example.add`), sometimes
    /// with non-ASCII characters, which the loose rule allows.
    mutating func uri() -> String {
        let strict = Array("abcdefghijklmnopqrstuvwxyz0123456789_")
        let loose: [Character] = ["é", "ß", "Ж", "中", "🚀", "-", "+", "$", "A", "Z"]
        let components = (0 ..< Int.random(in: 1 ... 4, using: &random)).map { _ -> String in
            let alphabet = chance(5) ? strict + loose : strict
            return String((0 ..< Int.random(in: 1 ... 8, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        return components.joined(separator: ".")
    }

    /// A string of 0 ... 12 characters: ASCII, accented letters, CJK, emoji (with modifiers and
    /// joiners), combining marks, quotes, backslashes and control characters other than U+0000.
    mutating func string() -> String {
        let pool: [String] = [
            "a", "b", "z", "A", "0", "9", " ", "_", ".", "\"", "\\", "/", "\n", "\t", "\r", "\u{1}", "\u{1F}", "\u{7F}",
            "é", "ü", "ß", "Ж", "λ", "中", "文", "日本", "\u{301}", "\u{FEFF}", "\u{2028}", "\u{FFFD}",
            "😀", "🚀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "\u{10FFFF}",
        ]
        return (0 ..< Int.random(in: 0 ... 12, using: &random)).map { _ in pool.randomElement(using: &random)! }.joined()
    }

    /// Random bytes, possibly none.
    mutating func bytes() -> [UInt8] {
        (0 ..< Int.random(in: 0 ... 40, using: &random)).map { _ in UInt8.random(in: 0 ... 255, using: &random) }
    }

    /// A payload: mostly arguments (none, Args only, Kw only, both), sometimes passthru.
    mutating func payload() -> WAMPPayload {
        switch Int.random(in: 0 ..< 10, using: &random) {
        case 0: return .empty
        case 1: return .transparent(bytes())
        case 2: return .arguments(list(), [:])
        case 3: return .arguments([], dict())
        default: return .arguments(list(), dict())
        }
    }

    /// A dict of random values.
    mutating func dict(depth: Int = 1) -> [String: WAMPValue] {
        var out: [String: WAMPValue] = [:]
        for _ in 0 ..< Int.random(in: 0 ... maxCount, using: &random) {
            out[chance(3) ? string() : uri()] = value(depth: depth)
        }
        return out
    }

    /// A list of random values.
    mutating func list(depth: Int = 1) -> [WAMPValue] {
        (0 ..< Int.random(in: 0 ... maxCount, using: &random)).map { _ in value(depth: depth) }
    }

    /// A random value; lists and dicts only while `depth` is at most ``maxDepth``.
    mutating func value(depth: Int = 1) -> WAMPValue {
        let kinds = depth < maxDepth ? 11 : 9
        switch Int.random(in: 0 ..< kinds, using: &random) {
        case 0: return .null
        case 1: return .bool(chance(2))
        case 2: return .integer(Int64.random(in: -1000 ... 1000, using: &random))
        case 3:
            let edges: [Int64] = [
                0, 1, -1, 127, 128, -128, -129, 255, 256, 65535, 65536,
                Int64(Int32.max), Int64(Int32.min), Int64.max, Int64.min, 1 << 53,
            ]
            return chance(2)
                ? .integer(edges.randomElement(using: &random)!)
                : .integer(Int64.random(in: .min ... .max, using: &random))
        case 4:
            return chance(2) ? .unsignedInteger(UInt64.max) : .integer(exactly: UInt64.random(in: 0 ... .max, using: &random))
        case 5:
            let edges: [Double] = [
                0, -0.0, 1, -1, 0.5, 2.5, 1e-300, 1e300, .pi, .ulpOfOne, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
            ]
            return chance(2)
                ? .double(edges.randomElement(using: &random)!)
                : .double(Double.random(in: -1e9 ... 1e9, using: &random))
        case 6, 7: return .string(string())
        case 8: return .binary(bytes())
        case 9: return .list(list(depth: depth + 1))
        default: return .dict(dict(depth: depth + 1))
        }
    }
}
