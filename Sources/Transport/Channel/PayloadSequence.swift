public import NIOCore
import NIOConcurrencyHelpers

/// The payloads a connection received, in order, as an async sequence: one element per WAMP
/// message, not deserialized. Iterate it once.
///
/// Payloads are taken from the connection in batches: the iterator takes everything received
/// so far under one lock and then returns it element by element without synchronization or
/// suspension. When more than the transport's limit of messages wait untaken, the connection
/// stops reading from the socket until the consumer catches up.
///
/// The sequence ends when the peer closes, throws the error that failed the connection, and
/// ends (returns `nil`) when the consuming task is cancelled.
public struct PayloadSequence: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    let storage: ChannelBridgeStorage
    /// Counts each payload as it is taken.
    let metrics: MessageMetrics
    /// Asks the channel to read again after a held read (runs on any thread).
    let resumeReading: @Sendable () -> Void

    init(storage: ChannelBridgeStorage, metrics: MessageMetrics, resumeReading: @escaping @Sendable () -> Void) {
        self.storage = storage
        self.metrics = metrics
        self.resumeReading = resumeReading
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(storage: storage, metrics: metrics, resumeReading: resumeReading)
    }

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let storage: ChannelBridgeStorage
        let metrics: MessageMetrics
        let resumeReading: @Sendable () -> Void
        private var batch = CircularBuffer<ByteBuffer>(initialCapacity: 16)
        private var done = false

        init(storage: ChannelBridgeStorage, metrics: MessageMetrics, resumeReading: @escaping @Sendable () -> Void) {
            self.storage = storage
            self.metrics = metrics
            self.resumeReading = resumeReading
        }

        /// The next payload, `nil` when the peer closed or the task was cancelled.
        ///
        /// - Throws: the error that failed the connection (once; then `nil`).
        public mutating func next() async throws -> ByteBuffer? {
            try await next(isolation: nil)
        }

        /// The next payload of the batch already taken, without waiting or locking; `nil` when
        /// the batch is used up (``nextBatch(isolation:)`` then takes the next one). A consumer that
        /// tries this first has no `await` on its path for most payloads: each one costs a
        /// switch back to its executor and a lookup of the task's executor preference.
        package mutating func nextTaken() -> ByteBuffer? {
            guard let payload = batch.popFirst() else { return nil }
            metrics.received(octets: payload.readableBytes)
            return payload
        }

        /// The next payload, taken without leaving the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            if let payload = nextTaken() { return payload }
            return try await nextBatch(isolation: actor)
        }

        /// The first payload of the next batch, waiting for one: what ``next(isolation:)`` does
        /// once ``nextTaken()`` found the batch already taken used up. A consumer that tried
        /// ``nextTaken()`` itself calls this, not ``next(isolation:)``, which would try it again.
        package mutating func nextBatch(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            if done { return nil }
            while true {
                switch take() {
                case .payload(let payload):
                    metrics.received(octets: payload.readableBytes)
                    return payload
                case .finished:
                    done = true
                    return nil
                case .failed(let error):
                    done = true
                    throw error
                case .wait:
                    await Self.waitForInput(storage, isolation: actor)
                    if Task.isCancelled {
                        done = true
                        return nil
                    }
                }
            }
        }

        private enum Taken {
            case payload(ByteBuffer)
            case finished
            case failed(any Error)
            case wait
        }

        /// Takes everything received so far into ``batch``.
        private mutating func take() -> Taken {
            let (taken, resume) = storage.state.withLockedValue { state -> (Taken, Bool) in
                if !state.inbound.isEmpty {
                    swap(&batch, &state.inbound)
                    let resume = state.readHeld
                    state.readHeld = false
                    return (.payload(batch.removeFirst()), resume)
                }
                switch state.end {
                case .finished?: return (.finished, false)
                case .failed(let error)?: return (.failed(error), false)
                case nil: return (.wait, false)
                }
            }
            if resume { resumeReading() }
            return taken
        }

        private static func waitForInput(_ storage: ChannelBridgeStorage, isolation: isolated (any Actor)?) async {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = storage.state.withLockedValue { state in
                        if !state.inbound.isEmpty || state.end != nil || state.consumerCancelled {
                            state.consumerCancelled = false
                            return true
                        }
                        state.consumer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let consumer = storage.state.withLockedValue { state in
                    defer { state.consumer = nil }
                    if state.consumer == nil { state.consumerCancelled = true }
                    return state.consumer
                }
                consumer?.resume()
            }
        }
    }
}

@available(*, unavailable)
extension PayloadSequence.AsyncIterator: Sendable {}
