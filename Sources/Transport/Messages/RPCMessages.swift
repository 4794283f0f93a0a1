// Remote procedure calls: CALL, CANCEL, RESULT, REGISTER, REGISTERED, UNREGISTER,
// UNREGISTERED, INVOCATION, INTERRUPT, YIELD.

extension WAMPMessage {
    /// `[CALL, Request|id, Options|dict, Procedure|uri, [Args, [Kw]]]`
    public struct Call: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.call
        /// The request ID.
        public var request: WAMPID
        /// Options (`timeout`, `receive_progress`, ...).
        public var options: [String: WAMPValue]
        /// The procedure to call.
        public var procedure: String
        /// The call arguments.
        public var payload: WAMPPayload

        /// Creates a CALL.
        public init(request: WAMPID, options: [String: WAMPValue] = [:], procedure: String, payload: WAMPPayload = .empty) {
            self.request = request
            self.options = options
            self.procedure = procedure
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 6)
            request = try e.id(1, "Request")
            options = try e.dict(2, "Options")
            procedure = try e.uri(3, "Procedure")
            payload = try e.payload(from: 4)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
            elements.append(.string(procedure))
            payload.append(to: &elements)
        }
    }

    /// `[CANCEL, CALL.Request|id, Options|dict]`: the caller gives up a call (advanced profile).
    public struct Cancel: WAMPMessageBody {
        public static let messageType = WAMPMessageType.cancel
        /// The ID of the CALL.
        public var request: WAMPID
        /// Options (`mode`: `skip`, `kill`, `killnowait`).
        public var options: [String: WAMPValue]

        /// Creates a CANCEL.
        public init(request: WAMPID, options: [String: WAMPValue] = [:]) {
            self.request = request
            self.options = options
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "CALL.Request")
            options = try e.dict(2, "Options")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
        }
    }

    /// `[RESULT, CALL.Request|id, Details|dict, [Args, [Kw]]]`
    public struct Result: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.result
        /// The ID of the CALL.
        public var request: WAMPID
        /// Details (`progress`, ...).
        public var details: [String: WAMPValue]
        /// The result.
        public var payload: WAMPPayload

        /// Creates a RESULT.
        public init(request: WAMPID, details: [String: WAMPValue] = [:], payload: WAMPPayload = .empty) {
            self.request = request
            self.details = details
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 5)
            request = try e.id(1, "CALL.Request")
            details = try e.dict(2, "Details")
            payload = try e.payload(from: 3)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(details))
            payload.append(to: &elements)
        }
    }

    /// `[REGISTER, Request|id, Options|dict, Procedure|uri]`
    public struct Register: WAMPMessageBody {
        public static let messageType = WAMPMessageType.register
        /// The request ID.
        public var request: WAMPID
        /// Options (`match`, `invoke`, ...).
        public var options: [String: WAMPValue]
        /// The procedure or pattern.
        public var procedure: String

        /// Creates a REGISTER.
        public init(request: WAMPID, options: [String: WAMPValue] = [:], procedure: String) {
            self.request = request
            self.options = options
            self.procedure = procedure
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 4)
            request = try e.id(1, "Request")
            options = try e.dict(2, "Options")
            procedure = try e.uri(3, "Procedure")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
            elements.append(.string(procedure))
        }
    }

    /// `[REGISTERED, REGISTER.Request|id, Registration|id]`
    public struct Registered: WAMPMessageBody {
        public static let messageType = WAMPMessageType.registered
        /// The ID of the REGISTER request.
        public var request: WAMPID
        /// The registration ID.
        public var registration: WAMPID

        /// Creates a REGISTERED.
        public init(request: WAMPID, registration: WAMPID) {
            self.request = request
            self.registration = registration
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "REGISTER.Request")
            registration = try e.id(2, "Registration")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: registration))
        }
    }

    /// `[UNREGISTER, Request|id, REGISTERED.Registration|id]`
    public struct Unregister: WAMPMessageBody {
        public static let messageType = WAMPMessageType.unregister
        /// The request ID.
        public var request: WAMPID
        /// The registration to end.
        public var registration: WAMPID

        /// Creates an UNREGISTER.
        public init(request: WAMPID, registration: WAMPID) {
            self.request = request
            self.registration = registration
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "Request")
            registration = try e.id(2, "REGISTERED.Registration")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: registration))
        }
    }

    /// `[UNREGISTERED, UNREGISTER.Request|id]`, or with the advanced profile
    /// `[UNREGISTERED, 0-or-Request|id, Details|dict]` (router-initiated revocation).
    public struct Unregistered: WAMPMessageBody {
        public static let messageType = WAMPMessageType.unregistered
        /// The ID of the UNREGISTER request; 0 in a router-initiated revocation.
        public var request: WAMPID
        /// Details of the advanced form (`registration`, `reason`), or `nil` for the basic form.
        public var details: [String: WAMPValue]?

        /// Creates an UNREGISTERED.
        public init(request: WAMPID, details: [String: WAMPValue]? = nil) {
            self.request = request
            self.details = details
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(2, 3)
            if elements.count == 3 {
                request = elements[1] == .integer(0) ? 0 : try e.id(1, "UNREGISTER.Request")
                details = try e.dict(2, "Details")
            } else {
                request = try e.id(1, "UNREGISTER.Request")
                details = nil
            }
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            if let details { elements.append(.dict(details)) }
        }
    }

    /// `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, [Args, [Kw]]]`
    public struct Invocation: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.invocation
        /// The request ID (chosen by the router).
        public var request: WAMPID
        /// The registration invoked.
        public var registration: WAMPID
        /// Details (`caller`, `procedure`, `receive_progress`, ...).
        public var details: [String: WAMPValue]
        /// The call arguments.
        public var payload: WAMPPayload

        /// Creates an INVOCATION.
        public init(
            request: WAMPID, registration: WAMPID, details: [String: WAMPValue] = [:],
            payload: WAMPPayload = .empty
        ) {
            self.request = request
            self.registration = registration
            self.details = details
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 6)
            request = try e.id(1, "Request")
            registration = try e.id(2, "REGISTERED.Registration")
            details = try e.dict(3, "Details")
            payload = try e.payload(from: 4)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: registration))
            elements.append(.dict(details))
            payload.append(to: &elements)
        }
    }

    /// `[INTERRUPT, INVOCATION.Request|id, Options|dict]`: the router cancels an invocation
    /// (advanced profile).
    public struct Interrupt: WAMPMessageBody {
        public static let messageType = WAMPMessageType.interrupt
        /// The ID of the INVOCATION.
        public var request: WAMPID
        /// Options (`mode`, `reason`).
        public var options: [String: WAMPValue]

        /// Creates an INTERRUPT.
        public init(request: WAMPID, options: [String: WAMPValue] = [:]) {
            self.request = request
            self.options = options
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "INVOCATION.Request")
            options = try e.dict(2, "Options")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
        }
    }

    /// `[YIELD, INVOCATION.Request|id, Options|dict, [Args, [Kw]]]`
    public struct Yield: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.yield
        /// The ID of the INVOCATION.
        public var request: WAMPID
        /// Options (`progress`, ...).
        public var options: [String: WAMPValue]
        /// The result.
        public var payload: WAMPPayload

        /// Creates a YIELD.
        public init(request: WAMPID, options: [String: WAMPValue] = [:], payload: WAMPPayload = .empty) {
            self.request = request
            self.options = options
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 5)
            request = try e.id(1, "INVOCATION.Request")
            options = try e.dict(2, "Options")
            payload = try e.payload(from: 3)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
            payload.append(to: &elements)
        }
    }
}
