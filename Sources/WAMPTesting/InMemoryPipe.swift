import Synchronization
import Transport

/// One direction of an in-memory connection: the messages one side sent that the other side has
/// not taken yet, bounded like a socket's buffers.
///
/// A send appends its message at once and then, while more than ``capacity`` messages wait,
/// waits for the reader to take some (as a SwiftNIO channel writes, then waits while it is not
/// writable): a sender can get ahead of a slow reader by one message each, no more.
final class InMemoryPipe: Sendable {
    /// How the pipe ends.
    private enum End {
        /// Both sides are open.
        case open
        /// The sending side closed: the reader takes what is buffered, then the sequence ends.
        case finished
        /// The sending side failed: the reader takes what is buffered, then gets the error.
        case failed(any Error)
        /// The receiving side closed: what was buffered is dropped and every send throws.
        case readerGone
    }

    private struct State {
        var buffer: [WAMPMessage] = []
        /// The index of the oldest message still buffered.
        var head = 0
        var end = End.open
        var readers: [UInt64: CheckedContinuation<WAMPMessage?, any Error>] = [:]
        var writers: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter: UInt64 = 0

        var count: Int { buffer.count - head }

        mutating func takeFirst() -> WAMPMessage? {
            guard head < buffer.count else { return nil }
            let message = buffer[head]
            head += 1
            // Compact once the taken half dominates, so memory follows what is buffered.
            if head >= 64 && head * 2 >= buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return message
        }

        mutating func waiterID() -> UInt64 {
            nextWaiter += 1
            return nextWaiter
        }
    }

    /// The most messages buffered before a sender waits.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// For a send of `message`: throws when either side closed; otherwise takes a reader waiting
    /// for a message, if one does.
    private static func takeReader(
        _ state: inout State, sending message: WAMPMessage
    ) throws -> CheckedContinuation<WAMPMessage?, any Error>? {
        switch state.end {
        case .open: break
        case .readerGone: throw closed("cannot send \(message.type): the peer closed the connection")
        case .finished, .failed: throw closed("cannot send \(message.type): the connection is closed")
        }
        guard let (id, reader) = state.readers.first else { return nil }
        state.readers[id] = nil
        return reader
    }

    private static func closed(_ what: String) -> InMemoryTransportError {
        InMemoryTransportError(.connectionClosed, what)
    }

    /// Appends `message`, then waits while more than ``capacity`` messages are buffered.
    ///
    /// - Throws: ``InMemoryTransportError`` with kind `connectionClosed` when either side closed
    ///   (before the message was appended, or while waiting for room); `CancellationError` when
    ///   the task is cancelled while it waits (the message then stays sent).
    func send(_ message: WAMPMessage) async throws {
        let (reader, mustWait): (CheckedContinuation<WAMPMessage?, any Error>?, Bool) = try state.withLock { state in
            if let reader = try Self.takeReader(&state, sending: message) {
                return (reader, false)
            }
            state.buffer.append(message)
            return (nil, state.count > capacity)
        }
        if let reader {
            reader.resume(returning: message)
            return
        }
        if mustWait { try await waitForRoom() }
    }

    /// Appends `message` when that needs no wait: a reader waits for it, or fewer than
    /// ``capacity`` messages are buffered. Returns `false`, having appended nothing, otherwise.
    ///
    /// - Throws: ``InMemoryTransportError`` with kind `connectionClosed` when either side closed.
    func sendWithoutWaiting(_ message: WAMPMessage) throws -> Bool {
        let (appended, reader): (Bool, CheckedContinuation<WAMPMessage?, any Error>?) = try state.withLock { state in
            if let reader = try Self.takeReader(&state, sending: message) {
                return (true, reader)
            }
            guard state.count < capacity else { return (false, nil) }
            state.buffer.append(message)
            return (true, nil)
        }
        reader?.resume(returning: message)
        return appended
    }

    private func waitForRoom() async throws {
        let id = state.withLock { $0.waiterID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if case .readerGone = state.end {
                        return .failure(Self.closed("the peer closed the connection while a send waited"))
                    }
                    if state.count <= capacity { return .success(()) }
                    state.writers[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { $0.writers.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// What a reader finds: a message, the end, or nothing yet.
    private enum Take {
        case message(WAMPMessage)
        case end
        case wait
    }

    /// The next message; `nil` once the sender closed and everything was taken, or once the
    /// receiving side closed.
    ///
    /// - Throws: the error the sender failed with, after the buffered messages;
    ///   `CancellationError` when the task is cancelled while it waits.
    func next() async throws -> WAMPMessage? {
        switch try state.withLock({ try Self.take(&$0, capacity: capacity) }) {
        case .message(let message): return message
        case .end: return nil
        case .wait: break
        }
        let id = state.withLock { $0.waiterID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WAMPMessage?, any Error>) in
                let outcome: Result<WAMPMessage?, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    do {
                        switch try Self.take(&state, capacity: capacity) {
                        case .message(let message): return .success(message)
                        case .end: return .success(nil)
                        case .wait:
                            state.readers[id] = continuation
                            return nil
                        }
                    } catch {
                        return .failure(error)
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { $0.readers.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Takes the oldest message (releasing the senders waiting for room once there is room), or
    /// finds the end.
    private static func take(_ state: inout State, capacity: Int) throws -> Take {
        if case .readerGone = state.end { return .end }
        if let message = state.takeFirst() {
            if state.count <= capacity && !state.writers.isEmpty {
                for writer in state.writers.values { writer.resume() }
                state.writers = [:]
            }
            return .message(message)
        }
        switch state.end {
        case .open: return .wait
        case .finished, .readerGone: return .end
        case .failed(let error): throw error
        }
    }

    /// The sending side closes: the reader takes what is buffered, then the sequence ends (or
    /// throws `error`); later sends throw.
    func closeSending(failing error: (any Error)? = nil) {
        let readers = state.withLock { state -> [CheckedContinuation<WAMPMessage?, any Error>] in
            guard case .open = state.end else { return [] }
            state.end = error.map { .failed($0) } ?? .finished
            let readers = Array(state.readers.values)
            state.readers = [:]
            return readers
        }
        for reader in readers {
            if let error { reader.resume(throwing: error) } else { reader.resume(returning: nil) }
        }
    }

    /// The receiving side closes: buffered messages are dropped, the reader's sequence ends, and
    /// every send (waiting or new) throws.
    func closeReceiving() {
        let (readers, writers) = state.withLock { state in
            state.end = .readerGone
            state.buffer = []
            state.head = 0
            defer {
                state.readers = [:]
                state.writers = [:]
            }
            return (Array(state.readers.values), Array(state.writers.values))
        }
        for reader in readers { reader.resume(returning: nil) }
        for writer in writers { writer.resume(throwing: Self.closed("the peer closed the connection while a send waited")) }
    }
}
