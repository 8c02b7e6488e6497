import NIOConcurrencyHelpers

/// Counters shared by every connection of the daemon (for status lines and, later, metrics).
public final class FleetStatistics: Sendable {
    public struct Snapshot: Sendable, Hashable {
        public var openConnections = 0
        public var totalConnections = 0
        public var requests = 0
        public var errors = 0
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

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
}
