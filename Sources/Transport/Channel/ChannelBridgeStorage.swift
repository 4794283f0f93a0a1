internal import NIOCore
import NIOConcurrencyHelpers

/// The state a connection's ``ChannelBridgeHandler`` (on the event loop) shares with the tasks
/// that take received payloads (``PayloadSequence``) and send (``ChannelBridge``).
///
/// Every access is one short critical section under a lock; continuations are resumed after
/// the lock is released. The lock is NIO's (a pthread mutex) rather than the standard library's
/// `Mutex`: ThreadSanitizer does not see the ordering that `Mutex` (futex-based, in an
/// uninstrumented module) provides, and reports every access as a race.
final class ChannelBridgeStorage: Sendable {
    /// How the inbound side ended.
    enum End {
        case finished
        case failed(any Error)
    }

    struct State {
        /// Payloads received and not yet taken by the consumer.
        var inbound = CircularBuffer<ByteBuffer>(initialCapacity: 16)
        var end: End?
        /// The consumer, when it waits for a payload.
        var consumer: CheckedContinuation<Void, Never>?
        var consumerCancelled = false
        /// The handler held back a `read()` because ``maxBufferedMessages`` were waiting.
        var readHeld = false
        /// Senders on the event loop waiting for the channel to become writable.
        var writabilityWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
        /// Sending is over: `close()` was called or the channel closed.
        var outputClosed = false
        /// Octets handed to the event loop by senders on other threads and not yet written.
        var unwrittenOffLoop = 0
        /// The first write that failed after its send had returned (a send from another thread
        /// under ``ChannelBridge/maxUnwrittenBytes``): later sends throw it as their cause.
        var writeFailure: (any Error)?
    }

    let state = NIOLockedValueBox(State())
    /// Above this many received payloads not taken by the consumer, the channel stops reading.
    let maxBufferedMessages: Int
    /// Makes what a send throws once the connection is closed (the transport's own error
    /// type), with the failure that closed it as its cause, when there was one.
    let makeClosedError: @Sendable ((any Error)?) -> any Error

    init(maxBufferedMessages: Int, closedError: @escaping @Sendable ((any Error)?) -> any Error) {
        self.maxBufferedMessages = maxBufferedMessages
        self.makeClosedError = closedError
    }

    /// What a send throws now that the connection is closed.
    var closedError: any Error {
        makeClosedError(state.withLockedValue { $0.writeFailure })
    }

    /// Records a write that failed after its send returned; returns whether it was the first.
    func recordWriteFailure(_ error: any Error) -> Bool {
        state.withLockedValue { state in
            guard state.writeFailure == nil else { return false }
            state.writeFailure = error
            state.outputClosed = true
            return true
        }
    }

    // MARK: Inbound, from the handler

    /// Queues a received payload; returns the consumer to resume, if it waits.
    func receive(_ payload: ByteBuffer) -> CheckedContinuation<Void, Never>? {
        state.withLockedValue { state in
            guard state.end == nil else { return nil }
            state.inbound.append(payload)
            defer { state.consumer = nil }
            return state.consumer
        }
    }

    /// Ends the inbound side after the payloads already queued (the first end wins).
    func finish(_ error: (any Error)?) -> CheckedContinuation<Void, Never>? {
        state.withLockedValue { state in
            guard state.end == nil else { return nil }
            state.end = error.map { .failed($0) } ?? .finished
            defer { state.consumer = nil }
            return state.consumer
        }
    }

    /// Whether the handler may ask the channel for more bytes; records a held read if not.
    func mayRead() -> Bool {
        state.withLockedValue { state in
            if state.inbound.count >= maxBufferedMessages {
                state.readHeld = true
                return false
            }
            return true
        }
    }

    // MARK: Writability, from the handler

    /// The senders to resume: the channel became writable.
    func takeWritabilityWaiters() -> [CheckedContinuation<Void, any Error>] {
        state.withLockedValue { state in
            defer { state.writabilityWaiters.removeAll() }
            return Array(state.writabilityWaiters.values)
        }
    }

    /// Ends the outbound side (the channel closed); returns the senders to fail.
    func closeOutput() -> [CheckedContinuation<Void, any Error>] {
        state.withLockedValue { state in
            state.outputClosed = true
            defer { state.writabilityWaiters.removeAll() }
            return Array(state.writabilityWaiters.values)
        }
    }

    /// Records a sender waiting for writability, or resumes it at once: cancelled, closed, or
    /// `channel` writable already. Writability is read under the lock that the handler takes
    /// after the channel became writable, so no change is missed whichever thread runs this.
    func addWritabilityWaiter(_ id: Int, _ continuation: CheckedContinuation<Void, any Error>, channel: any Channel) {
        enum Now { case wait, resume, fail(any Error) }
        let now = state.withLockedValue { state -> Now in
            if Task.isCancelled { return .fail(CancellationError()) }
            if state.outputClosed { return .fail(makeClosedError(state.writeFailure)) }
            if channel.isWritable { return .resume }
            state.writabilityWaiters[id] = continuation
            return .wait
        }
        switch now {
        case .wait: break
        case .resume: continuation.resume()
        case .fail(let error): continuation.resume(throwing: error)
        }
    }
}
