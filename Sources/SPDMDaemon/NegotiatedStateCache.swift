import NIOConcurrencyHelpers
import NIOCore
import SPDMResponder

/// The Negotiated States a CACHE_CAP device keeps (DSP0274 §10.4: "per Requester"), by requester:
/// the peer's IP address (a TCP requester reconnects from another port), or "unix" for a Unix
/// socket peer. A connection stores its state once VCA is done, drops it on END_SESSION with the
/// clearing indicator, and a new connection of the same requester resumes from it. Held in memory:
/// a daemon restart is a device reset, which loses it as the specification allows.
final class NegotiatedStateCache: Sendable {
    private let states = NIOLockedValueBox([String: CachedNegotiatedState]())

    static func requester(_ address: SocketAddress?) -> String {
        address?.ipAddress ?? "unix"
    }

    func state(for requester: String) -> CachedNegotiatedState? {
        states.withLockedValue { $0[requester] }
    }

    /// Keeps `state` for `requester`, or forgets it (nil).
    func update(_ state: CachedNegotiatedState?, for requester: String) {
        states.withLockedValue { $0[requester] = state }
    }
}
