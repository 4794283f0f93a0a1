extension WAMPPayload {
    /// Encodes a value into a payload with a ``WAMPValueEncoder``: a value that encodes as a
    /// list (an array, a set) becomes the positional `Args`; one that encodes as a dict (a
    /// struct, a dictionary) becomes the keyword `Kw`; anything else becomes the one positional
    /// argument.
    ///
    /// ```swift
    /// struct Order: Codable { var item: String; var quantity: Int }
    ///
    /// try WAMPPayload.encoding([2, 3])                          // Args [2, 3]
    /// try WAMPPayload.encoding(Order(item: "tea", quantity: 2)) // Kw {"item": "tea", "quantity": 2}
    /// try WAMPPayload.encoding("hello")                         // Args ["hello"]
    /// ```
    ///
    /// - Throws: the `EncodingError` of ``WAMPValueEncoder/encode(_:)``.
    public static func encoding<T: Encodable>(
        _ value: T, encoder: WAMPValueEncoder = WAMPValueEncoder()
    ) throws -> WAMPPayload {
        switch try encoder.encode(value) {
        case .list(let args): return .arguments(args, [:])
        case .dict(let kwargs): return .arguments([], kwargs)
        case let single: return .arguments([single], [:])
        }
    }

    /// Decodes the positional arguments, as a list, into a type that decodes from a list: an
    /// array, a tuple-like type with its own unkeyed `init(from:)`, ...
    ///
    /// ```swift
    /// let numbers = try invocation.payload.decodeArgs([Int].self)
    /// ```
    ///
    /// - Throws: `DecodingError` from ``WAMPValueDecoder``; `DecodingError.typeMismatch` in
    ///   passthru mode (``transparent(_:)``), which has no `Args`.
    public func decodeArgs<T: Decodable>(
        _ type: T.Type = T.self, decoder: WAMPValueDecoder = WAMPValueDecoder()
    ) throws -> T {
        try requireArguments(T.self)
        return try decoder.decode(T.self, from: .list(args))
    }

    /// Decodes the keyword arguments, as a dict, into a type that decodes from a dict: a
    /// struct, a `[String: V]`, ... An empty `Kw` decodes as an empty dict, so a type whose
    /// properties are all optional decodes from a payload without `Kw`.
    ///
    /// ```swift
    /// let order = try call.payload.decodeKwargs(Order.self)
    /// ```
    ///
    /// - Throws: `DecodingError` from ``WAMPValueDecoder`` (`keyNotFound` for a missing
    ///   required key); `DecodingError.typeMismatch` in passthru mode (``transparent(_:)``).
    public func decodeKwargs<T: Decodable>(
        _ type: T.Type = T.self, decoder: WAMPValueDecoder = WAMPValueDecoder()
    ) throws -> T {
        try requireArguments(T.self)
        return try decoder.decode(T.self, from: .dict(kwargs))
    }

    /// Decodes one positional argument.
    ///
    /// ```swift
    /// let name = try call.payload.decodeArgument(String.self, at: 0)
    /// ```
    ///
    /// - Throws: `DecodingError.valueNotFound` when there is no argument at `index` (its
    ///   coding path is the index), and the `DecodingError` of ``WAMPValueDecoder``, with
    ///   paths starting at the index; `DecodingError.typeMismatch` in passthru mode
    ///   (``transparent(_:)``).
    public func decodeArgument<T: Decodable>(
        _ type: T.Type = T.self, at index: Int, decoder: WAMPValueDecoder = WAMPValueDecoder()
    ) throws -> T {
        try requireArguments(T.self)
        let args = self.args
        let key = WAMPCodingKey(index: index)
        guard args.indices.contains(index) else {
            throw DecodingError.valueNotFound(
                T.self,
                .init(
                    codingPath: [key],
                    debugDescription: "No argument at index \(index): the payload has \(args.count) positional arguments."))
        }
        return try decoder.decode(T.self, from: args[index], codingPath: [key])
    }

    private func requireArguments(_ type: Any.Type) throws {
        if case .transparent(let bytes) = self {
            throw DecodingError.typeMismatch(
                type,
                .init(
                    codingPath: [],
                    debugDescription: "The payload is in passthru mode (one opaque binary value of \(bytes.count) bytes); "
                        + "it has no Args or Kw."))
        }
    }
}
