import Synchronization
import Transport

/// What the router keeps for one served connection besides the routing state: the bounded
/// queue of messages waiting to be written, and the signals of the connection's tasks.
///
/// The queue is filled under the router's lock (so the messages to one connection keep the
/// order the routing decided) and never blocks: when it is full, the message is not queued and
/// the connection is ended as a slow consumer.
final class SessionLink: Sendable {
    /// The messages to write, in order. It finishes when the router closes the connection.
    let outbound: AsyncStream<WAMPMessage>
    private let continuation: AsyncStream<WAMPMessage>.Continuation
    /// Rung when the connection's earliest deadline moved earlier.
    let timer = Doorbell()
    /// Rung when the router closes the connection: the close grace period starts.
    let closing = Doorbell()
    private let overflowed = Atomic(false)

    init(queueLength: Int) {
        (outbound, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(max(1, queueLength)))
    }

    /// Queues `message`; `false` when the queue is full (the message is not queued).
    func enqueue(_ message: WAMPMessage) -> Bool {
        if case .dropped = continuation.yield(message) { return false }
        return true
    }

    /// Ends the queue (what is in it is still written) and starts the close grace period.
    func finish() {
        continuation.finish()
        closing.ring()
    }

    /// Marks the connection as a slow consumer: what is queued is dropped and ABORT is written
    /// in its place.
    func markOverflowed() {
        overflowed.store(true, ordering: .relaxed)
    }

    /// Whether the connection was ended as a slow consumer.
    var isOverflowed: Bool { overflowed.load(ordering: .relaxed) }
}
