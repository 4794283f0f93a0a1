/// The outbound user event that closes a connection gracefully: the transport's channel handler
/// writes everything sent before it, then its own closing (a WebSocket close frame with the
/// reason's code; nothing for RawSocket), and closes the channel. A channel whose pipeline has
/// no such handler (still in its opening handshake) fails the event, and is closed at once.
///
/// Sent by ``ChannelBridge/close(_:reason:timeout:)``, the one place that closes a connection
/// with a deadline.
package struct TransportCloseRequest: Sendable {
    /// Why the connection closes.
    package enum Reason: Sendable, Equatable {
        /// The side is done (WebSocket close code 1000).
        case normal
        /// The server shuts down (WebSocket 1001).
        case goingAway
        /// The peer sent what this side cannot accept (WebSocket 1002).
        case protocolError
        /// An application's code (WebSocket 3000 ... 4999).
        case code(UInt16)

        /// The WebSocket close code of the reason.
        package var webSocketCode: UInt16 {
            switch self {
            case .normal: 1000
            case .goingAway: 1001
            case .protocolError: 1002
            case .code(let code): code
            }
        }
    }

    /// Why the connection closes.
    package var reason: Reason

    package init(_ reason: Reason) {
        self.reason = reason
    }
}
