// Session life cycle: HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE.

extension WAMPMessage {
    /// `[HELLO, Realm|uri, Details|dict]`: a client asks to join a realm.
    public struct Hello: WAMPMessageBody {
        public static let messageType = WAMPMessageType.hello
        /// The realm to join.
        public var realm: String
        /// Roles, authentication methods and other details.
        public var details: [String: WAMPValue]

        /// Creates a HELLO.
        public init(realm: String, details: [String: WAMPValue] = [:]) {
            self.realm = realm
            self.details = details
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            realm = try e.uri(1, "Realm")
            details = try e.dict(2, "Details")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.string(realm))
            elements.append(.dict(details))
        }
    }

    /// `[WELCOME, Session|id, Details|dict]`: the router accepts the session.
    public struct Welcome: WAMPMessageBody {
        public static let messageType = WAMPMessageType.welcome
        /// The session ID the router assigned.
        public var session: WAMPID
        /// Router roles and other details.
        public var details: [String: WAMPValue]

        /// Creates a WELCOME.
        public init(session: WAMPID, details: [String: WAMPValue] = [:]) {
            self.session = session
            self.details = details
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            session = try e.id(1, "Session")
            details = try e.dict(2, "Details")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: session))
            elements.append(.dict(details))
        }
    }

    /// `[ABORT, Details|dict, Reason|uri, [Args, [Kw]]]`: a session is refused or ended abruptly.
    public struct Abort: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.abort
        /// Details, usually a `message`.
        public var details: [String: WAMPValue]
        /// Why, as a URI (for example ``WAMPURI/protocolViolation``).
        public var reason: String
        /// Optional arguments.
        public var payload: WAMPPayload

        /// Creates an ABORT.
        public init(details: [String: WAMPValue] = [:], reason: String, payload: WAMPPayload = .empty) {
            self.details = details
            self.reason = reason
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 5)
            details = try e.dict(1, "Details")
            reason = try e.uri(2, "Reason")
            payload = try e.payload(from: 3)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.dict(details))
            elements.append(.string(reason))
            payload.append(to: &elements)
        }
    }

    /// `[CHALLENGE, AuthMethod|string, Extra|dict]`: the router asks the client to authenticate.
    public struct Challenge: WAMPMessageBody {
        public static let messageType = WAMPMessageType.challenge
        /// The authentication method ("ticket", "wampcra", "cryptosign", ...).
        public var authMethod: String
        /// Method-specific data (the challenge string, salt, ...).
        public var extra: [String: WAMPValue]

        /// Creates a CHALLENGE.
        public init(authMethod: String, extra: [String: WAMPValue] = [:]) {
            self.authMethod = authMethod
            self.extra = extra
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            authMethod = try e.string(1, "AuthMethod")
            extra = try e.dict(2, "Extra")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.string(authMethod))
            elements.append(.dict(extra))
        }
    }

    /// `[AUTHENTICATE, Signature|string, Extra|dict]`: the client answers a CHALLENGE.
    public struct Authenticate: WAMPMessageBody {
        public static let messageType = WAMPMessageType.authenticate
        /// The signature, ticket or other proof.
        public var signature: String
        /// Method-specific data.
        public var extra: [String: WAMPValue]

        /// Creates an AUTHENTICATE.
        public init(signature: String, extra: [String: WAMPValue] = [:]) {
            self.signature = signature
            self.extra = extra
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            signature = try e.string(1, "Signature")
            extra = try e.dict(2, "Extra")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.string(signature))
            elements.append(.dict(extra))
        }
    }

    /// `[GOODBYE, Details|dict, Reason|uri]`: a peer leaves the session.
    public struct Goodbye: WAMPMessageBody {
        public static let messageType = WAMPMessageType.goodbye
        /// Details, usually a `message`.
        public var details: [String: WAMPValue]
        /// Why, as a URI (``WAMPURI/closeNormal``, ``WAMPURI/goodbyeAndOut``, ...).
        public var reason: String

        /// Creates a GOODBYE.
        public init(details: [String: WAMPValue] = [:], reason: String = WAMPURI.closeNormal) {
            self.details = details
            self.reason = reason
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            details = try e.dict(1, "Details")
            reason = try e.uri(2, "Reason")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.dict(details))
            elements.append(.string(reason))
        }
    }
}
