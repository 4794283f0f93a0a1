import Transport

/// What the routing state asks the I/O layer to do.
enum RouterAction: Hashable, Sendable {
    /// Queue `message` for the connection.
    case send(WAMPMessage, to: ConnectionID)
    /// Write what is queued for the connection, then close its transport; read nothing more.
    case close(ConnectionID)
    /// The connection's earliest deadline moved earlier: its timer must look again.
    case rescheduleTimer(ConnectionID)
}
