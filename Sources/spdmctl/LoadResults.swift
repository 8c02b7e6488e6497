import Foundation
import SPDMCore

/// Latencies and errors collected from every worker thread.
final class LoadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [UInt64] = []
    private var errors: [String] = []
    private var algorithms: NegotiatedAlgorithms?

    var flowCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return latencies.count
    }

    func record(latency: UInt64, algorithms: NegotiatedAlgorithms) {
        lock.lock()
        latencies.append(latency)
        if self.algorithms == nil { self.algorithms = algorithms }
        lock.unlock()
    }

    func record(error: String) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    struct Summary {
        var flows: Int
        var errors: Int
        var firstError: String?
        var flowsPerSecond: Double
        var percentiles: [(String, Double)]
        var algorithms: NegotiatedAlgorithms?
    }

    func summary(duration: Double) -> Summary {
        lock.lock()
        defer { lock.unlock() }
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000_000
        }
        return Summary(flows: sorted.count, errors: errors.count, firstError: errors.first,
                       flowsPerSecond: Double(sorted.count) / duration,
                       percentiles: [("p50", percentile(0.5)), ("p90", percentile(0.9)), ("p99", percentile(0.99))],
                       algorithms: algorithms)
    }
}

/// A progress line a second on stderr while the run lasts.
struct ProgressPrinter {
    let enabled: Bool
    let total: Double
    private let start = Date()

    init(enabled: Bool, total: Double) {
        self.enabled = enabled
        self.total = total
    }

    func tick(_ flows: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "  %4.0f/%.0f s  %d flows\n", elapsed, total, flows).utf8))
    }
}
