import Transport

// Answers decided outside the routing state: the authorizer's refusals, and messages a
// transport could not take.
extension RouterCore {
    /// The authorization request for a SUBSCRIBE, PUBLISH, REGISTER or CALL on `connection`;
    /// `nil` for other messages or without a session.
    func authorizationRequest(for message: WAMPMessage, on connection: ConnectionID) -> WAMPAuthorizationRequest? {
        guard let session = session(on: connection) else { return nil }
        let (action, uri, options): (WAMPAuthorizationRequest.Action, String, [String: WAMPValue])
        switch message {
        case .subscribe(let m): (action, uri, options) = (.subscribe, m.topic, m.options)
        case .publish(let m): (action, uri, options) = (.publish, m.topic, m.options)
        case .register(let m): (action, uri, options) = (.register, m.procedure, m.options)
        case .call(let m): (action, uri, options) = (.call, m.procedure, m.options)
        default: return nil
        }
        return WAMPAuthorizationRequest(session: session.identity, action: action, uri: uri, options: options)
    }

    /// Why the realm's roles refuse `message` from `session`; `nil` when the realm has no roles
    /// or a permission of the session's role allows it.
    mutating func roleRefusal(_ message: WAMPMessage, _ session: RouterSession) -> String? {
        // Mutating only to read the realm in place (see `withValueInPlace`); it changes nothing.
        guard someRealmHasRoles, let roles = realms.withValueInPlace(session.realm, { $0.roles.isEmpty ? nil : $0.roles }) ?? nil else { return nil }
        let (action, uri): (WAMPAuthorizationRequest.Action, String)
        switch message {
        case .subscribe(let m): (action, uri) = (.subscribe, m.topic)
        case .publish(let m): (action, uri) = (.publish, m.topic)
        case .register(let m): (action, uri) = (.register, m.procedure)
        case .call(let m): (action, uri) = (.call, m.procedure)
        default: return nil
        }
        let authrole = session.identity.authrole
        guard let role = roles[authrole] else {
            return "role \"\(authrole)\" has no permissions in realm \"\(session.realm)\": \(action.rawValue) \"\(uri)\" is not authorized"
        }
        guard role.allows(action, on: uri) else {
            return "role \"\(authrole)\" may not \(action.rawValue) \"\(uri)\""
        }
        return nil
    }

    /// Refuses `message` from `connection` with ERROR `uri` (for PUBLISH only when the publisher
    /// asked for an acknowledgement).
    func refuse(_ message: WAMPMessage, from connection: ConnectionID, uri: String, _ text: String) -> [RouterAction] {
        guard session(on: connection) != nil else { return [] }
        let type: WAMPMessageType
        let request: WAMPID
        switch message {
        case .subscribe(let m): (type, request) = (.subscribe, m.request)
        case .register(let m): (type, request) = (.register, m.request)
        case .call(let m): (type, request) = (.call, m.request)
        case .publish(let m):
            guard m.options["acknowledge"] == .bool(true) else { return [] }
            (type, request) = (.publish, m.request)
        default:
            return []
        }
        return [.send(Self.error(type, request, uri, text), to: connection)]
    }

    /// `message` was too large for the transport of `connection`, which refused it: a caller
    /// whose INVOCATION, RESULT or ERROR could not be delivered gets ERROR
    /// `wamp.error.payload_size_exceeded` instead (and the callee of a call still in flight after
    /// a progressive RESULT gets INTERRUPT); anything else (an EVENT) is dropped.
    mutating func undeliverable(_ message: WAMPMessage, to connection: ConnectionID) -> [RouterAction] {
        guard let session = session(on: connection) else { return [] }
        var actions: [RouterAction] = []
        let text = "the answer is larger than this session's transport accepts"
        switch message {
        case .invocation(let invocation):
            // The callee never got it: nothing to interrupt.
            guard let ended = finish(invocation.request, in: session.realm), let caller = sessions[ended.caller] else { break }
            actions.append(.send(
                Self.error(.call, ended.callRequest, WAMPURI.payloadSizeExceeded,
                           "the call's arguments are larger than the callee's transport accepts"),
                to: caller.connection))
        case .result(let result):
            // A progressive result: the call is still in flight and ends here.
            if let id = sessions.withValueInPlace(session.id, { $0.calls[result.request] }) ?? nil,
               let inFlight = realms.withValueInPlace(session.realm, { $0.dealer.invocations[id] }) ?? nil {
                finish(inFlight.id, in: session.realm)
                interrupt(inFlight, mode: "killnowait", reason: WAMPURI.payloadSizeExceeded, into: &actions)
            }
            actions.append(.send(Self.error(.call, result.request, WAMPURI.payloadSizeExceeded, text), to: connection))
        case .error(let error) where error.requestType == .call:
            actions.append(.send(Self.error(.call, error.request, WAMPURI.payloadSizeExceeded, text), to: connection))
        default:
            break
        }
        return actions
    }
}
