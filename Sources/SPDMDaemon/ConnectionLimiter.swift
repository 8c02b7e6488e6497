import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Why a connection was accepted and closed at once instead of being served.
public enum ConnectionRefusal: Int, CaseIterable, Sendable {
    /// The device already holds its `max_connections`.
    case deviceLimit
    /// The daemon already holds its connection cap (open-file limit, or `[daemon] max_connections`).
    case daemonLimit
    /// accept(2) itself ran out of descriptors; the connection was taken with the spare one and closed.
    case descriptors

    /// The `reason` label of `spdm_connections_refused_total`.
    public var label: String {
        switch self {
        case .deviceLimit: return "device_limit"
        case .daemonLimit: return "daemon_limit"
        case .descriptors: return "descriptors"
        }
    }
}

/// The daemon-wide side of admission: how many device connections are open across the fleet, the
/// cap they may not exceed, the frame timeout new connections get, and the spare descriptor for
/// when accept itself runs out. One per daemon; reload changes the cap and the timeout in place
/// (open connections keep theirs).
final class FleetConnectionLimiter: Sendable {
    let spare = SpareDescriptor()
    private struct State {
        var cap: Int
        var open = 0
        var frameTimeout: Int
    }

    private let state: NIOLockedValueBox<State>

    init(cap: Int, frameTimeout: Int) {
        state = NIOLockedValueBox(State(cap: cap, frameTimeout: frameTimeout))
    }

    var cap: Int { state.withLockedValue { $0.cap } }
    var openConnections: Int { state.withLockedValue { $0.open } }
    /// Seconds a partial frame may wait for its next byte (0: never times out).
    var frameTimeout: Int { state.withLockedValue { $0.frameTimeout } }

    func configure(cap: Int, frameTimeout: Int) {
        state.withLockedValue {
            $0.cap = cap
            $0.frameTimeout = frameTimeout
        }
    }

    /// Takes one slot; false when the cap is reached.
    func acquire() -> Bool {
        state.withLockedValue { state in
            guard state.open < state.cap else { return false }
            state.open += 1
            return true
        }
    }

    func release() { state.withLockedValue { $0.open -= 1 } }
}

/// One device's admission: its own `max_connections` first, then the daemon-wide cap. Shared by
/// the device's listeners (TCP and Unix count together). Every refusal is counted on the device.
final class DeviceConnectionLimiter: Sendable {
    enum Admission: Equatable {
        case admitted
        /// Refused for `reason`; `cap` is the limit that was full.
        case refused(ConnectionRefusal, cap: Int)
    }

    let device: String
    let maxConnections: Int?
    let fleet: FleetConnectionLimiter
    private let counters: DeviceCounters
    private let open = NIOLockedValueBox(0)
    private let logThrottle = NIOLockedValueBox(RefusalLogThrottle())

    init(device: String, maxConnections: Int?, fleet: FleetConnectionLimiter, counters: DeviceCounters) {
        self.device = device
        self.maxConnections = maxConnections
        self.fleet = fleet
        self.counters = counters
    }

    var openConnections: Int { open.withLockedValue { $0 } }

    /// Takes a device slot and a daemon slot, or neither. A refusal is counted here; the caller
    /// closes the connection and logs `explain(_:)`.
    func admit() -> Admission {
        let underDeviceCap = open.withLockedValue { open -> Bool in
            if let maxConnections, open >= maxConnections { return false }
            open += 1
            return true
        }
        guard underDeviceCap else { return refuse(.deviceLimit, cap: maxConnections ?? 0) }
        guard fleet.acquire() else {
            open.withLockedValue { $0 -= 1 }
            return refuse(.daemonLimit, cap: fleet.cap)
        }
        return .admitted
    }

    /// Gives back what `admit()` took (once per admitted connection, when it closes).
    func release() {
        open.withLockedValue { $0 -= 1 }
        fleet.release()
    }

    /// Counts a connection refused before admission could be asked (accept ran out of descriptors).
    func refusedForDescriptors() { counters.connectionRefused(.descriptors) }

    private func refuse(_ reason: ConnectionRefusal, cap: Int) -> Admission {
        counters.connectionRefused(reason)
        return .refused(reason, cap: cap)
    }

    /// Logs a refusal (`explain`), unless this device already logged `RefusalLogThrottle.linesPerSecond`
    /// of them this second: those are only counted.
    func logRefusal(_ reason: ConnectionRefusal, cap: Int, logger: Logger, peer: String?) {
        var metadata: Logger.Metadata = ["reason": "\(reason.label)"]
        if let peer { metadata["peer"] = "\(peer)" }
        switch logThrottle.withLockedValue({ $0.decide(now: .now()) }) {
        case .log:
            logger.warning("\(explain(reason, cap: cap))", metadata: metadata)
        case .logLast:
            let line = explain(reason, cap: cap) + "; more refusals of this device in this second are counted "
                + "in spdm_connections_refused_total, not logged"
            logger.warning("\(line)", metadata: metadata)
        case .mute:
            break
        }
    }

    /// The log line of a refusal: names the device and the cap that was full.
    func explain(_ reason: ConnectionRefusal, cap: Int) -> String {
        switch reason {
        case .deviceLimit:
            return "connection refused: device '\(device)' already holds its max_connections = \(cap)"
        case .daemonLimit:
            return "connection refused for device '\(device)': the daemon already holds its cap of \(cap) connections "
                + "(open-file limit, or [daemon] max_connections)"
        case .descriptors:
            return "connection refused for device '\(device)': no file descriptor left to serve it (accepted with the spare one and closed)"
        }
    }
}

/// Thrown from a child channel initializer to refuse a connection: NIO then closes the accepted
/// socket at once, before it is registered or read.
struct ConnectionRefusedAtAccept: Error {}

extension DeviceConnectionLimiter {
    /// At accept: admits `channel` (its slots are given back when it closes), or logs why not and
    /// throws `ConnectionRefusedAtAccept`.
    func admit(_ channel: Channel, logger: Logger) throws {
        switch admit() {
        case .admitted:
            channel.closeFuture.whenComplete { _ in self.release() }
        case let .refused(reason, cap):
            logRefusal(reason, cap: cap, logger: logger, peer: channel.remoteAddress?.description ?? "unix")
            throw ConnectionRefusedAtAccept()
        }
    }
}

/// Keeps a flood of refusals against one device from flooding the journal (whose rate limit
/// would then drop every device's lines): at most `linesPerSecond` refusal lines per device and
/// second, the last of them saying that the rest are only counted.
struct RefusalLogThrottle {
    static let linesPerSecond = 10

    enum Decision: Equatable {
        case log
        /// The last line this second.
        case logLast
        case mute
    }

    private var windowStart: NIODeadline?
    private var lines = 0

    mutating func decide(now: NIODeadline) -> Decision {
        if let windowStart, now - windowStart < .seconds(1) {
            lines += 1
        } else {
            windowStart = now
            lines = 1
        }
        if lines < Self.linesPerSecond { return .log }
        return lines == Self.linesPerSecond ? .logLast : .mute
    }
}
