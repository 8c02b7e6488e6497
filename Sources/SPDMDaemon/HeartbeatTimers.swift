import NIOCore

/// The heartbeat watchdog of one connection's sessions (DSP0274 §10.19): a session that promised
/// a HeartbeatPeriod and then sees no message for twice that period is terminated. One timer per
/// such session, re-armed by every record the session authenticates; all on the connection's
/// event loop.
struct HeartbeatTimers {
    private var timers: [UInt32: Scheduled<Void>] = [:]

    var isArmed: Bool { !timers.isEmpty }

    /// Brings the timers in line with `periods` (the established sessions with a period): starts
    /// missing ones, drops those of ended sessions, and restarts the one of `active`.
    mutating func update(periods: [UInt32: UInt8], active: UInt32?, on loop: any EventLoop,
                         expire: @escaping @Sendable (UInt32) -> Void) {
        for (id, timer) in timers where periods[id] == nil || id == active {
            timer.cancel()
            timers[id] = nil
        }
        for (id, period) in periods where timers[id] == nil {
            timers[id] = loop.scheduleTask(in: .seconds(2 * Int64(period))) { expire(id) }
        }
    }

    mutating func fired(_ id: UInt32) { timers[id] = nil }

    mutating func cancelAll() {
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
    }
}
