import Foundation
import Histogram
import SPDMCore

/// What the worker threads of a load run record: latencies in an HDR histogram (microseconds, three
/// significant digits, up to ten minutes), errors by kind and by device, flows per device and, when
/// identities are checked, each device's leaf certificate digest.
final class LoadResults: @unchecked Sendable {
    private let lock = NSLock()
    private static let highestMicroseconds: UInt64 = 600_000_000
    private var histogram = Histogram<UInt64>(highestTrackableValue: highestMicroseconds, numberOfSignificantValueDigits: .three)
    private var errorsByKind: [String: Int] = [:]
    private var errorsByDevice: [String: Int] = [:]
    private var firstError: String?
    private var flowsByDevice: [String: Int] = [:]
    private var identities: [String: String] = [:]
    private var algorithms: NegotiatedAlgorithms?

    var flowCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(histogram.totalCount)
    }

    func record(device: String, nanoseconds: UInt64, algorithms: NegotiatedAlgorithms, leafDigest: String?) {
        lock.lock()
        defer { lock.unlock() }
        _ = histogram.record(min(nanoseconds / 1_000, Self.highestMicroseconds))
        flowsByDevice[device, default: 0] += 1
        if let leafDigest { identities[device] = leafDigest }
        if self.algorithms == nil { self.algorithms = algorithms }
    }

    /// `kind`: a FailedCheck name ("signature", "transport", ...).
    func record(device: String, kind: String, error: String) {
        lock.lock()
        defer { lock.unlock() }
        errorsByKind[kind, default: 0] += 1
        errorsByDevice[device, default: 0] += 1
        if firstError == nil { firstError = "\(device): \(error)" }
    }

    struct Summary {
        var flows: Int
        var errors: Int
        var firstError: String?
        var flowsPerSecond: Double
        /// ("p50", milliseconds) ... ("max", milliseconds).
        var percentiles: [(String, Double)]
        var algorithms: NegotiatedAlgorithms?
        var errorsByKind: [String: Int]
        var errorsByDevice: [String: Int]
        /// Devices with at least one verified flow.
        var devicesAttested: Int
        var flowsByDevice: [String: Int]
        /// Devices whose leaf certificate was collected.
        var identitiesChecked: Int
        /// Groups of devices presenting the same leaf certificate (each group sorted, two or more).
        var sharedIdentities: [[String]]
    }

    func summary(seconds: Double) -> Summary {
        lock.lock()
        defer { lock.unlock() }
        let count = Int(histogram.totalCount)
        func milliseconds(_ percentile: Double) -> Double {
            count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1_000
        }
        let percentiles = [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9)].map { ($0.0, milliseconds($0.1)) }
            + [("max", count == 0 ? 0 : Double(histogram.max) / 1_000)]
        let byLeaf = Dictionary(grouping: identities.keys, by: { identities[$0]! })
        let shared = byLeaf.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
        return Summary(flows: count, errors: errorsByKind.values.reduce(0, +), firstError: firstError,
                       flowsPerSecond: seconds > 0 ? Double(count) / seconds : 0, percentiles: percentiles, algorithms: algorithms,
                       errorsByKind: errorsByKind, errorsByDevice: errorsByDevice, devicesAttested: flowsByDevice.count,
                       flowsByDevice: flowsByDevice, identitiesChecked: identities.count, sharedIdentities: shared)
    }
}

/// A progress line a second on stderr while the run lasts.
struct ProgressPrinter {
    let enabled: Bool
    let total: String
    private let start = Date()

    init(enabled: Bool, total: String) {
        self.enabled = enabled
        self.total = total
    }

    func tick(_ flows: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "  %4.0f s  %d flows (of %@)\n", elapsed, flows, total).utf8))
    }
}
