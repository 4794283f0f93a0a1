/// Which callee of a shared registration a call goes to: the `invoke` option of REGISTER.
enum InvocationPolicy: String, Hashable, Sendable, CaseIterable {
    /// One callee only; a second REGISTER fails (the default).
    case single
    /// Each callee in turn, in the order they registered.
    case roundrobin
    /// A callee picked at random for each call.
    case random
    /// The callee that registered first (hot standby).
    case first
    /// The callee that registered last.
    case last

    /// The policy in `options["invoke"]`, ``single`` when absent.
    init(_ options: OptionReader) throws(InvalidOption) {
        self = try options.choice("invoke", default: .single)
    }

    /// The index, among `count > 0` callees in registration order, of the one to invoke;
    /// ``roundrobin`` advances `cursor`.
    func pick(among count: Int, cursor: inout Int, using random: inout some RandomNumberGenerator) -> Int {
        switch self {
        case .single, .first:
            return 0
        case .last:
            return count - 1
        case .random:
            return Int.random(in: 0 ..< count, using: &random)
        case .roundrobin:
            let index = cursor % count
            cursor = index + 1
            return index
        }
    }
}
