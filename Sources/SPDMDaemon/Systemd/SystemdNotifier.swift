import CSystemd
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The service manager's notify protocol (sd_notify(3)) through libsystemd: readiness, status,
/// the watchdog, reload and shutdown. Every call is a no-op when NOTIFY_SOCKET is not set, so the
/// daemon runs the same way in a terminal.
///
/// The watchdog is fed from the event loops themselves: each loop of the group runs a repeated task
/// at half the watchdog interval and checks in; WATCHDOG=1 is sent only once every loop has checked
/// in since the previous ping, so one wedged loop stops the pings and the manager restarts us.
public final class SystemdNotifier: Sendable {
    private struct State {
        var tasks: [RepeatedTask] = []
        var checkedIn: Set<Int> = []
        var lastStatus: String?
        /// Appended to every STATUS= until the next successful reload (a refused config).
        var note: String?
        var stopped = false
    }

    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    private let send: @Sendable (String) -> CInt
    /// Whether a service manager listens (NOTIFY_SOCKET is set).
    public let isEnabled: Bool
    /// The watchdog interval the manager asked for (WATCHDOG_USEC), nil when the watchdog is off.
    public let watchdogInterval: TimeAmount?

    /// The notifier of this process: NOTIFY_SOCKET and the watchdog settings (sd_watchdog_enabled,
    /// which also checks WATCHDOG_PID) from the environment, messages sent with sd_notify.
    public convenience init(logger: Logger) {
        let enabled = !(ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] ?? "").isEmpty
        var usec: UInt64 = 0
        let watchdog = enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0
        self.init(logger: logger, isEnabled: enabled,
                  watchdogInterval: watchdog ? .microseconds(Int64(clamping: usec)) : nil,
                  send: { sd_notify(0, $0) })
    }

    /// A notifier with its own transport (tests): `send` returns sd_notify's convention
    /// (> 0 sent, 0 nobody listens, < 0 negative errno).
    init(logger: Logger, isEnabled: Bool, watchdogInterval: TimeAmount?, send: @escaping @Sendable (String) -> CInt) {
        self.logger = logger
        self.isEnabled = isEnabled
        self.watchdogInterval = watchdogInterval
        self.send = send
    }

    /// Sends one notification (several assignments separated by newlines). Returns false when it
    /// could not be delivered (or no manager listens).
    @discardableResult
    public func notify(_ assignments: String) -> Bool {
        guard isEnabled else { return false }
        let result = send(assignments)
        if result < 0 {
            logger.warning("sd_notify failed", metadata: ["error": "\(String(cString: strerror(-result)))"])
        }
        return result > 0
    }

    /// Every listener is bound: READY=1 with the first STATUS= line.
    public func ready(status: String) {
        let text = state.withLockedValue { state -> String in
            state.lastStatus = status
            return Self.withNote(status, state.note)
        }
        notify("READY=1\nSTATUS=\(text)")
    }

    /// STATUS= (only sent when it changed since the last one).
    public func status(_ status: String) {
        let text = state.withLockedValue { state -> String? in
            guard !state.stopped, state.lastStatus != status else { return nil }
            state.lastStatus = status
            return Self.withNote(status, state.note)
        }
        if let text { notify("STATUS=\(text)") }
    }

    /// A reload begins (RELOADING=1 with the monotonic timestamp systemd 253+ asks for).
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        state.withLockedValue { $0.lastStatus = "reloading" }
        notify("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=reloading configuration")
    }

    /// A reload applied: READY=1 again with the new STATUS= line.
    public func reloaded(status: String) {
        state.withLockedValue {
            $0.note = nil
            $0.lastStatus = status
        }
        notify("READY=1\nSTATUS=\(Self.withNote(status, nil))")
    }

    /// A reload refused (invalid config, a listener that cannot be bound): READY=1 (the previous
    /// config keeps serving) and STATUS= says why, until the next successful reload.
    public func reloadFailed(_ reason: String, status: String) {
        let note = "last reload failed: \(reason)"
        state.withLockedValue {
            $0.note = note
            $0.lastStatus = status
        }
        notify("READY=1\nSTATUS=\(Self.withNote(status, note))")
    }

    /// Shutdown begins: stops the watchdog and status tasks, then STOPPING=1.
    public func stopping(status: String = "stopping") {
        let tasks = state.withLockedValue { state -> [RepeatedTask] in
            state.stopped = true
            defer { state.tasks.removeAll() }
            return state.tasks
        }
        tasks.forEach { $0.cancel() }
        notify("STOPPING=1\nSTATUS=\(Self.withNote(status, nil))")
    }

    /// Starts feeding the watchdog from every loop of `group` (when the manager asked for one).
    public func startWatchdog(on group: any EventLoopGroup) {
        guard let interval = watchdogInterval else { return }
        let loops = Array(group.makeIterator())
        let period = TimeAmount.nanoseconds(max(interval.nanoseconds / 2, 1_000_000))
        logger.debug("watchdog enabled", metadata: ["interval_usec": "\(interval.nanoseconds / 1_000)", "loops": "\(loops.count)"])
        let tasks = loops.enumerated().map { index, loop in
            loop.scheduleRepeatedTask(initialDelay: .zero, delay: period) { [self] _ in
                self.checkIn(loop: index, of: loops.count)
            }
        }
        state.withLockedValue { $0.tasks += tasks }
    }

    /// One loop is alive; the last one to check in sends the ping.
    private func checkIn(loop index: Int, of count: Int) {
        let ping = state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.checkedIn.insert(index)
            guard state.checkedIn.count == count else { return false }
            state.checkedIn.removeAll()
            return true
        }
        if ping { notify("WATCHDOG=1") }
    }

    /// Refreshes STATUS= every `interval` from `status()` (sent only when the text changed).
    public func startStatusUpdates(on loop: any EventLoop, every interval: TimeAmount = .seconds(5),
                                   _ status: @escaping @Sendable () -> String) {
        guard isEnabled else { return }
        let task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            self.status(status())
        }
        state.withLockedValue { $0.tasks.append(task) }
    }

    /// The STATUS= line for the fleet's counters, with a standing `warning` (the connection budget's) after them.
    public static func statusLine(devices: Int, statistics: FleetStatistics.Snapshot, warning: String? = nil, shard: String? = nil) -> String {
        (shard.map { "shard \($0): " } ?? "") + "\(devices) devices, \(statistics.openConnections) connections, \(statistics.openSessions) sessions, "
            + "\(statistics.requests) requests, \(statistics.errors) errors" + (warning.map { "; warning: \($0)" } ?? "")
    }

    private static func withNote(_ status: String, _ note: String?) -> String {
        let text = note.map { "\(status); \($0)" } ?? status
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
