import SPDMDevice

/// How many device connections the open-file limit leaves room for: every listener and every
/// connection is a descriptor, and some must stay free for everything else the daemon opens.
///
///     cap = min(open-file limit - listeners - reserved, [daemon] max_connections)
///     reserved = 64 + open-file limit / 100
///
/// A connection over the cap is accepted and closed at once, so the descriptors in use never
/// reach the limit and accept(2) keeps working: the backlog never fills silently.
public struct ConnectionBudget: Sendable, Hashable {
    /// Descriptors kept free beside listeners and connections: stdio, the event loops' epoll,
    /// eventfd and timerfd, the control socket and its clients, the metrics listener, journald,
    /// state files written by the control API and SET_CERTIFICATE, certificate files read on reload,
    /// the spare accept descriptor (a fixed 64), and connections accepted only to be refused, which
    /// hold a descriptor until their event loop closes them: a fast flood keeps more of those in
    /// flight on a bigger fleet, hence the 1 % (measured: 10,000 devices under 20,000 descriptors
    /// with a fixed 64 had 19 refusals run into EMFILE).
    public var reservedDescriptors: Int { 64 + openFileLimit / 100 }

    /// RLIMIT_NOFILE (soft) in force.
    public var openFileLimit: Int
    /// Listeners of every device.
    public var listeners: Int
    /// Connections the devices ask for: each device's `max_connections`, one for a device without it.
    public var wanted: Int
    /// `[daemon] max_connections`, which may only lower the cap.
    public var configuredCap: Int?

    public init(openFileLimit: Int, listeners: Int, wanted: Int, configuredCap: Int?) {
        self.openFileLimit = openFileLimit
        self.listeners = listeners
        self.wanted = wanted
        self.configuredCap = configuredCap
    }

    /// The budget of `config` under the process's open-file limit.
    public init(config: FleetConfig, openFileLimit: Int) {
        self.init(openFileLimit: openFileLimit,
                  listeners: config.devices.reduce(0) { $0 + $1.listeners.count },
                  wanted: config.devices.reduce(0) { $0 + ($1.maxConnections ?? 1) },
                  configuredCap: config.daemon.maxConnections)
    }

    /// Connections the descriptors leave room for.
    public var descriptorCap: Int { max(0, openFileLimit - listeners - reservedDescriptors) }

    /// The daemon-wide cap in force.
    public var cap: Int { min(descriptorCap, configuredCap ?? .max) }

    /// Set when listeners plus the connections the config allows exceed the open-file limit
    /// (logged at start and after a reload, and appended to systemd's STATUS=).
    public var warning: String? {
        let limit = "the open-file limit \(openFileLimit) (RLIMIT_NOFILE, LimitNOFILE= in the unit)"
        if listeners + reservedDescriptors >= openFileLimit {
            return "\(listeners) listeners and \(reservedDescriptors) reserved descriptors exceed \(limit): "
                + "no connection can be served; raise the limit"
        }
        var excess: [String] = []
        if wanted > descriptorCap {
            excess.append("\(listeners) listeners + \(wanted) connections (max_connections of each device, 1 for a device "
                          + "without) + \(reservedDescriptors) reserved exceed \(limit)")
        }
        if let configuredCap, configuredCap > descriptorCap {
            excess.append("[daemon] max_connections = \(configuredCap) does not fit \(limit)")
        }
        guard !excess.isEmpty else { return nil }
        return excess.joined(separator: "; ") + ": at most \(cap) connections at once, more are closed at accept"
    }
}
