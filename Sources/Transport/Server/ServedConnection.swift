/// A connection that a ``ServerEngine`` hands to a handler: a transport with a graceful close.
package protocol ServedConnection: WAMPTransport {
    /// Sends nothing more, writes what was sent, and closes with `reason`, within the
    /// connection's close timeout.
    func close(reason: TransportCloseRequest.Reason) async

    /// Completes when the connection is closed, by either side.
    var closed: Void { get async }
}
