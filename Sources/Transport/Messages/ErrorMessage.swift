extension WAMPMessage {
    /// `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, [Args, [Kw]]]`:
    /// a request failed.
    public struct Error: WAMPMessageBody, WAMPPayloadCarrying {
        public static let messageType = WAMPMessageType.error
        /// The type of the request that failed: one of
        /// ``WAMPMessageType/errorRequestTypes`` (SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER,
        /// UNREGISTER, INVOCATION, CALL).
        public var requestType: WAMPMessageType
        /// The ID of the request that failed.
        public var request: WAMPID
        /// Details.
        public var details: [String: WAMPValue]
        /// The error URI.
        public var error: String
        /// Error arguments.
        public var payload: WAMPPayload

        /// Creates an ERROR.
        public init(
            requestType: WAMPMessageType, request: WAMPID, details: [String: WAMPValue] = [:],
            error: String, payload: WAMPPayload = .empty
        ) {
            self.requestType = requestType
            self.request = request
            self.details = details
            self.error = error
            self.payload = payload
        }

        public init(elements: [WAMPValue]) throws(WAMPProtocolError) {
            let e = MessageElements(elements, type: Self.messageType)
            try e.requireCount(5, 7)
            guard case .integer(let code) = elements[1] else {
                throw e.wrongType(1, "REQUEST.Type", expected: "an integer message type")
            }
            requestType = WAMPMessageType(rawValue: code)
            guard WAMPMessageType.errorRequestTypes.contains(requestType) else {
                throw WAMPProtocolError(
                    .invalidRequestType, messageType: Self.messageType, field: "REQUEST.Type",
                    "\(code) is not one of 16, 32, 34, 48, 64, 66, 68")
            }
            request = try e.id(2, "REQUEST.Request")
            details = try e.dict(3, "Details")
            error = try e.uri(4, "Error")
            payload = try e.payload(from: 5)
        }

        @inlinable
        public func appendElements(to elements: inout some WAMPElementSink) {
            elements.append(.integer(requestType.rawValue))
            elements.append(.integer(exactly: request))
            elements.append(.dict(details))
            elements.append(.string(error))
            payload.append(to: &elements)
        }
    }
}
