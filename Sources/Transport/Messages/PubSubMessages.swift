// Publish & subscribe: PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED,
// EVENT, EVENT_RECEIVED.

extension WAMPMessage {
    /// `[PUBLISH, Request|id, Options|dict, Topic|uri, [Args, [Kw]]]`
    public struct Publish: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.publish
        /// The request ID.
        public var request: WAMPID
        /// Options (`acknowledge`, `exclude_me`, ...).
        public var options: [String: WAMPValue]
        /// The topic.
        public var topic: String
        /// The event payload.
        public var payload: WAMPPayload

        /// Creates a PUBLISH.
        public init(request: WAMPID, options: [String: WAMPValue] = [:], topic: String, payload: WAMPPayload = .empty) {
            self.request = request
            self.options = options
            self.topic = topic
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 6)
            request = try e.id(1, "Request")
            options = try e.dict(2, "Options")
            topic = try e.uri(3, "Topic")
            payload = try e.payload(from: 4)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
            elements.append(.string(topic))
            payload.append(to: &elements)
        }
    }

    /// `[PUBLISHED, PUBLISH.Request|id, Publication|id]`
    public struct Published: WAMPMessageBody {
        public static let messageType = WAMPMessageType.published
        /// The ID of the PUBLISH request.
        public var request: WAMPID
        /// The publication ID.
        public var publication: WAMPID

        /// Creates a PUBLISHED.
        public init(request: WAMPID, publication: WAMPID) {
            self.request = request
            self.publication = publication
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "PUBLISH.Request")
            publication = try e.id(2, "Publication")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: publication))
        }
    }

    /// `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]`
    public struct Subscribe: WAMPMessageBody {
        public static let messageType = WAMPMessageType.subscribe
        /// The request ID.
        public var request: WAMPID
        /// Options (`match`: `prefix` or `wildcard`, ...).
        public var options: [String: WAMPValue]
        /// The topic or pattern.
        public var topic: String

        /// Creates a SUBSCRIBE.
        public init(request: WAMPID, options: [String: WAMPValue] = [:], topic: String) {
            self.request = request
            self.options = options
            self.topic = topic
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 4)
            request = try e.id(1, "Request")
            options = try e.dict(2, "Options")
            topic = try e.uri(3, "Topic")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.dict(options))
            elements.append(.string(topic))
        }
    }

    /// `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]`
    public struct Subscribed: WAMPMessageBody {
        public static let messageType = WAMPMessageType.subscribed
        /// The ID of the SUBSCRIBE request.
        public var request: WAMPID
        /// The subscription ID.
        public var subscription: WAMPID

        /// Creates a SUBSCRIBED.
        public init(request: WAMPID, subscription: WAMPID) {
            self.request = request
            self.subscription = subscription
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "SUBSCRIBE.Request")
            subscription = try e.id(2, "Subscription")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: subscription))
        }
    }

    /// `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]`
    public struct Unsubscribe: WAMPMessageBody {
        public static let messageType = WAMPMessageType.unsubscribe
        /// The request ID.
        public var request: WAMPID
        /// The subscription to end.
        public var subscription: WAMPID

        /// Creates an UNSUBSCRIBE.
        public init(request: WAMPID, subscription: WAMPID) {
            self.request = request
            self.subscription = subscription
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(3, 3)
            request = try e.id(1, "Request")
            subscription = try e.id(2, "SUBSCRIBED.Subscription")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            elements.append(.integer(exactly: subscription))
        }
    }

    /// `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id]`, or with the advanced profile
    /// `[UNSUBSCRIBED, 0-or-Request|id, Details|dict]` (router-initiated revocation).
    public struct Unsubscribed: WAMPMessageBody {
        public static let messageType = WAMPMessageType.unsubscribed
        /// The ID of the UNSUBSCRIBE request; 0 in a router-initiated revocation.
        public var request: WAMPID
        /// Details of the advanced form (`subscription`, `reason`), or `nil` for the basic form.
        public var details: [String: WAMPValue]?

        /// Creates an UNSUBSCRIBED.
        public init(request: WAMPID, details: [String: WAMPValue]? = nil) {
            self.request = request
            self.details = details
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(2, 3)
            if elements.count == 3 {
                // Router-initiated revocation uses request 0.
                request = elements[1] == .integer(0) ? 0 : try e.id(1, "UNSUBSCRIBE.Request")
                details = try e.dict(2, "Details")
            } else {
                request = try e.id(1, "UNSUBSCRIBE.Request")
                details = nil
            }
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: request))
            if let details { elements.append(.dict(details)) }
        }
    }

    /// `[EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict, [Args, [Kw]]]`
    public struct Event: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.event
        /// The subscription this event is delivered for.
        public var subscription: WAMPID
        /// The publication ID.
        public var publication: WAMPID
        /// Details (`publisher`, `topic`, ...).
        public var details: [String: WAMPValue]
        /// The event payload.
        public var payload: WAMPPayload

        /// Creates an EVENT.
        public init(
            subscription: WAMPID, publication: WAMPID, details: [String: WAMPValue] = [:],
            payload: WAMPPayload = .empty
        ) {
            self.subscription = subscription
            self.publication = publication
            self.details = details
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(4, 6)
            subscription = try e.id(1, "SUBSCRIBED.Subscription")
            publication = try e.id(2, "PUBLISHED.Publication")
            details = try e.dict(3, "Details")
            payload = try e.payload(from: 4)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: subscription))
            elements.append(.integer(exactly: publication))
            elements.append(.dict(details))
            payload.append(to: &elements)
        }
    }

    /// `[EVENT_RECEIVED, EVENT.Publication|id]`: acknowledges an event (advanced profile, code 337).
    public struct EventReceived: WAMPMessageBody {
        public static let messageType = WAMPMessageType.eventReceived
        /// The publication acknowledged.
        public var publication: WAMPID

        /// Creates an EVENT_RECEIVED.
        public init(publication: WAMPID) { self.publication = publication }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(2, 2)
            publication = try e.id(1, "EVENT.Publication")
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(exactly: publication))
        }
    }
}
