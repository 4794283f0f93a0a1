import Synchronization
import Transport

/// What the router keeps for one served connection besides the routing state: the bounded
/// queue of messages waiting to be written, and the signals of the connection's tasks.
///
/// The queue is filled under the router's lock (so the messages to one connection keep the
/// order the routing decided) and never blocks: when it is full, the message is not queued and
/// the connection is ended as a slow consumer. It is bounded twice: by its number of messages,
/// and by their estimated size in octets (``OutboundSize``), counted from when a message is
/// queued until the writer takes it for the transport (so one message more, the one being
/// written, may be held).
final class SessionLink: Sendable {
    /// A queued message and its estimated size.
    struct Outbound: Sendable {
        let message: WAMPMessage
        let octets: Int
    }

    /// The messages to write, in order. It finishes when the router closes the connection.
    let outbound: OutboundQueue
    private let octetLimit: Int
    /// The estimated octets queued and not yet taken by the writer.
    private let queuedOctets = Atomic(0)
    /// Rung when the connection's earliest deadline moved earlier.
    let timer = Doorbell()
    /// Rung when the router closes the connection: the close grace period starts.
    let closing = Doorbell()
    private let overflowed = Atomic(false)
    /// The transport's `sendWithoutWaiting(_:)`.
    private let sendWithoutWaiting: @Sendable (WAMPMessage) throws -> Bool

    /// A link whose queue holds at most `queueLength` messages and about `octetLimit` octets;
    /// `sendWithoutWaiting` is the transport's (default: a transport that never takes a
    /// message that way).
    init(
        queueLength: Int, octetLimit: Int,
        sendWithoutWaiting: @escaping @Sendable (WAMPMessage) throws -> Bool = { _ in false }
    ) {
        outbound = OutboundQueue(capacity: queueLength)
        self.octetLimit = octetLimit
        self.sendWithoutWaiting = sendWithoutWaiting
    }

    /// Claims the connection for a message that the router sends itself, after its lock, in
    /// place of the writer (``OutboundQueue/claim()``); `false` when the message must be
    /// queued. A claim is ended by ``sendClaimed(_:)``.
    ///
    /// Called under the router's lock, as ``enqueue(_:)``.
    func claim() -> Bool {
        !isOverflowed && outbound.claim()
    }

    /// Sends the claimed `message` through the transport at once, when it takes it without
    /// waiting (the caller runs on the connection's event loop, and the connection is
    /// writable); otherwise, or when the transport throws, queues it ahead of what was queued
    /// since the claim, for the writer, which then sends it (and handles the error) as any
    /// queued message. Ends the claim.
    func sendClaimed(_ message: WAMPMessage) {
        if (try? sendWithoutWaiting(message)) == true {
            outbound.release(unsent: nil)
            return
        }
        let message = message.unpinned()
        let octets = OutboundSize.octets(of: message)
        queuedOctets.add(octets, ordering: .relaxed)
        outbound.release(unsent: Outbound(message: message, octets: octets))
    }

    /// Queues `message`; `false` when the queue is full, by number or by octets (the message is
    /// not queued). A message alone in the queue is always taken, whatever its size: the
    /// transport's own message size limit is the bound for one message.
    ///
    /// Called under the router's lock only, so there is one producer; the writer only lowers
    /// the count, so the check can only be too strict, never too lax.
    ///
    /// A queued message whose payload is a slice of a much larger received buffer is copied
    /// first (`WAMPMessage.unpinned()`): the queue's octet bound then bounds its memory too.
    func enqueue(_ message: WAMPMessage) -> Bool {
        let message = message.unpinned()
        let octets = OutboundSize.octets(of: message)
        let queued = queuedOctets.load(ordering: .relaxed)
        if queued > 0 && queued + octets > octetLimit { return false }
        queuedOctets.add(octets, ordering: .relaxed)
        if !outbound.append(Outbound(message: message, octets: octets)) {
            queuedOctets.subtract(octets, ordering: .relaxed)
            return false
        }
        return true
    }

    /// The writer took a queued message of `octets` to hand it to the transport.
    func taken(_ octets: Int) {
        queuedOctets.subtract(octets, ordering: .relaxed)
    }

    /// Ends the queue (what is in it is still written) and starts the close grace period.
    func finish() {
        outbound.finish()
        closing.ring()
    }

    /// Marks the connection as a slow consumer: what is queued is dropped and ABORT is written
    /// in its place.
    func markOverflowed() {
        overflowed.store(true, ordering: .relaxed)
        outbound.drop()
    }

    /// Whether the connection was ended as a slow consumer.
    var isOverflowed: Bool { overflowed.load(ordering: .relaxed) }
}
