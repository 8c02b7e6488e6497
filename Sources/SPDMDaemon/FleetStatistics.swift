import Foundation
import NIOConcurrencyHelpers
import SPDMWire

/// Counters shared by every connection of the daemon: fleet totals (for status lines) and, per
/// device, requests by code, errors by code, open connections and sessions and the handshake
/// latency histogram (for the control API's metrics). Every update takes one uncontended lock.
public final class FleetStatistics: Sendable {
    public struct Snapshot: Sendable, Hashable {
        public var openConnections = 0
        public var totalConnections = 0
        public var requests = 0
        public var errors = 0
        public var openSessions = 0
    }

    private let state = NIOLockedValueBox(Snapshot())
    private let devices = NIOLockedValueBox([String: DeviceCounters]())
    /// When the process started (Prometheus process_start_time_seconds).
    public let startTime = Date()

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    /// The counters of device `name`, created on first use. They outlive a device's restart on
    /// reload (Prometheus counters only grow); `removeDevice` drops them.
    public func counters(for name: String) -> DeviceCounters {
        devices.withLockedValue { table in
            if let existing = table[name] { return existing }
            let created = DeviceCounters(fleet: self)
            table[name] = created
            return created
        }
    }

    func removeDevice(_ name: String) { _ = devices.withLockedValue { $0.removeValue(forKey: name) } }

    /// Every device's counters, sorted by device name.
    public var deviceCounters: [(name: String, counters: DeviceCounters)] {
        devices.withLockedValue { $0.map { ($0.key, $0.value) } }.sorted { $0.name < $1.name }
    }

    func connectionOpened() {
        state.withLockedValue {
            $0.openConnections += 1
            $0.totalConnections += 1
        }
    }

    func connectionClosed() { state.withLockedValue { $0.openConnections -= 1 } }

    func requestHandled(failed: Bool) {
        state.withLockedValue {
            $0.requests += 1
            if failed { $0.errors += 1 }
        }
    }

    func sessionsChanged(by delta: Int) { state.withLockedValue { $0.openSessions += delta } }
}

/// One device's counters. Requests are counted by request code, errors by SPDM error code (plus
/// "framing" for connections closed over a bad platform frame).
public final class DeviceCounters: Sendable {
    /// Upper bounds (seconds) of the handshake latency histogram buckets.
    public static let handshakeBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct Snapshot: Sendable {
        /// Indexed by request code; index 256 counts messages too short to carry one.
        public var requestsByCode = [Int](repeating: 0, count: 257)
        /// Indexed by SPDM error code.
        public var errorsByCode = [Int](repeating: 0, count: 256)
        public var framingErrors = 0
        public var openConnections = 0
        public var totalConnections = 0
        public var openSessions = 0
        /// Sessions established since the device started (open or ended).
        public var totalSessions = 0
        /// Non-cumulative bucket counts, one more than `handshakeBuckets` (the +Inf bucket).
        public var handshakeBuckets = [Int](repeating: 0, count: DeviceCounters.handshakeBuckets.count + 1)
        public var handshakeCount = 0
        public var handshakeSum = 0.0
        /// Connections accepted and closed at once, indexed by `ConnectionRefusal.rawValue`.
        public var refusedConnections = [Int](repeating: 0, count: ConnectionRefusal.allCases.count)
        /// Connections closed because a partial platform frame waited longer than frame_timeout.
        public var frameTimeouts = 0
        /// Faults injected by the device's fault rules, by action as written ("delay:300").
        public var faultsInjected: [String: Int] = [:]

        public var requests: Int { requestsByCode.reduce(0, +) }
        public var errors: Int { errorsByCode.reduce(0, +) + framingErrors }
    }

    private let state = NIOLockedValueBox(Snapshot())
    /// The fleet's totals, which these counters feed. Weak: the fleet owns its devices' counters
    /// (a strong reference back would be a cycle that outlives the daemon, as LeakSanitizer showed).
    private weak let fleet: FleetStatistics?

    init(fleet: FleetStatistics) { self.fleet = fleet }

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    func connectionOpened() {
        fleet?.connectionOpened()
        state.withLockedValue {
            $0.openConnections += 1
            $0.totalConnections += 1
        }
    }

    func connectionClosed() {
        fleet?.connectionClosed()
        state.withLockedValue { $0.openConnections -= 1 }
    }

    func requestHandled(_ code: RequestCode?, error: ErrorCode?) {
        fleet?.requestHandled(failed: error != nil)
        state.withLockedValue {
            $0.requestsByCode[code.map { Int($0.rawValue) } ?? 256] += 1
            if let error { $0.errorsByCode[Int(error.rawValue)] += 1 }
        }
    }

    func framingError() { state.withLockedValue { $0.framingErrors += 1 } }

    func connectionRefused(_ reason: ConnectionRefusal) { state.withLockedValue { $0.refusedConnections[reason.rawValue] += 1 } }

    func frameTimedOut() { state.withLockedValue { $0.frameTimeouts += 1 } }

    func faultInjected(action: String) { state.withLockedValue { $0.faultsInjected[action, default: 0] += 1 } }

    /// A session of this device was established (+1) or ended (-1).
    func sessionsChanged(by delta: Int) {
        fleet?.sessionsChanged(by: delta)
        state.withLockedValue {
            $0.openSessions += delta
            if delta > 0 { $0.totalSessions += delta }
        }
    }

    func handshakeCompleted(seconds: Double) {
        let bucket = Self.handshakeBuckets.firstIndex { seconds <= $0 } ?? Self.handshakeBuckets.count
        state.withLockedValue {
            $0.handshakeBuckets[bucket] += 1
            $0.handshakeCount += 1
            $0.handshakeSum += seconds
        }
    }
}
