/// Samples a process's memory every 100 ms, keeping each field's peak.
final class MemorySampler: Sendable {
    private let task: Task<ProcessMemory?, Never>
    let pid: Int32

    init(pid: Int32) {
        self.pid = pid
        task = Task {
            var peak: ProcessMemory?
            func sample() {
                guard let now = ProcessMemory(pid: pid) else { return }
                peak = peak.map { $0.maximum(now) } ?? now
            }
            while !Task.isCancelled {
                sample()
                try? await Task.sleep(for: .milliseconds(100))
            }
            sample()
            return peak
        }
    }

    /// Stops sampling and returns the peaks (each field's own peak, not one sample).
    func stop() async -> ProcessMemory? {
        task.cancel()
        return await task.value
    }
}
