import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SPDMDevice
import SPDMResponder

/// The daemon: every device's listeners on one event loop group, sized to the machine.
///
/// Each device runs on its own: a `DeviceRuntime` (the device as it answers now, its connections
/// and counters) and the listeners bound for it. `reload(config:)` compares the new config with
/// the running one device by device, so a device that did not change keeps its listeners and its
/// open connections. start, reload and stop never overlap.
public final class FleetDaemon: @unchecked Sendable {
    public let statistics = FleetStatistics()
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    /// Sockets passed by systemd, adopted by the devices named after them (nil: bind everything).
    private let socketActivation: SocketActivation?
    /// The event loops (the systemd watchdog is fed from each of them).
    public var eventLoopGroup: any EventLoopGroup { group }

    /// Guards `state`; held only for reads and the final swap, never across an await.
    private let lock = NIOLock()
    private var state: State
    /// Serializes start, reload and stop.
    private let operations = AsyncSerializer()
    private let hooks = NIOLockedValueBox(Hooks())
    /// The daemon-wide connection cap and frame timeout, shared by every device's admission.
    private let connectionLimiter: FleetConnectionLimiter
    private let budget: NIOLockedValueBox<ConnectionBudget>

    private struct State {
        var config: FleetConfig
        /// Running devices by name (config order is `config.devices`).
        var running: [String: RunningDevice] = [:]
    }

    struct RunningDevice {
        var runtime: DeviceRuntime
        var listeners: [BoundChannel]
    }

    struct BoundChannel {
        var address: ListenerAddress
        var channel: Channel
        var shown: String
        /// A Unix socket file this daemon created, and so removes when the listener closes.
        var ownedPath: String?
    }

    private struct Hooks {
        var configSource: (@Sendable () throws -> FleetConfig)?
        var observer: ReloadObserver?
    }

    /// A listener as bound (with the real port when the config asked for port 0).
    public struct BoundListener: Sendable, CustomStringConvertible {
        public var device: String
        public var address: String
        public var description: String { "\(device) \(address)" }
    }

    public init(config: FleetConfig, logger: Logger, threads: Int = System.coreCount,
                socketActivation: SocketActivation? = nil) {
        self.state = State(config: config)
        self.socketActivation = socketActivation
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let budget = ConnectionBudget(config: config, openFileLimit: Int(clamping: ResourceLimits.openFileLimit()))
        self.budget = NIOLockedValueBox(budget)
        self.connectionLimiter = FleetConnectionLimiter(cap: budget.cap, frameTimeout: config.daemon.frameTimeout)
    }

    /// The connection budget in force (its `warning` belongs in STATUS=).
    public var connectionBudget: ConnectionBudget { budget.withLockedValue { $0 } }

    /// Sizes the daemon-wide cap for `config` under the open-file limit now in force, and logs it
    /// (a warning when listeners plus the connections the config allows exceed the limit).
    private func applyConnectionBudget(_ config: FleetConfig) {
        let budget = ConnectionBudget(config: config, openFileLimit: Int(clamping: ResourceLimits.openFileLimit()))
        self.budget.withLockedValue { $0 = budget }
        connectionLimiter.configure(cap: budget.cap, frameTimeout: config.daemon.frameTimeout)
        logger.info("connection limits", metadata: [
            "max_connections": "\(budget.cap)", "open_file_limit": "\(budget.openFileLimit)", "listeners": "\(budget.listeners)",
            "reserved_descriptors": "\(budget.reservedDescriptors)", "frame_timeout": "\(config.daemon.frameTimeout)"])
        if let warning = budget.warning { logger.warning("\(warning)") }
    }

    /// The config in force (the last one that loaded and applied).
    public var config: FleetConfig { lock.withLock { state.config } }

    /// Every running device, in config order.
    public var runtimes: [DeviceRuntime] {
        lock.withLock { state.config.devices.compactMap { state.running[$0.name]?.runtime } }
    }

    public func runtime(named name: String) -> DeviceRuntime? { lock.withLock { state.running[name]?.runtime } }

    /// The listeners of every running device, in config order.
    public var listeners: [BoundListener] {
        lock.withLock {
            state.config.devices.flatMap { device in
                (state.running[device.name]?.listeners ?? []).map { BoundListener(device: device.name, address: $0.shown) }
            }
        }
    }

    /// Binds every listener; on any failure closes what was bound and throws.
    public func start() async throws -> [BoundListener] {
        try await operations.run {
            let config = self.config
            applyConnectionBudget(config)
            var started: [String: RunningDevice] = [:]
            do {
                for device in config.devices {
                    let runtime = makeRuntime(device, stateDirectory: config.daemon.stateDirectory)
                    started[device.name] = try await startDevice(runtime, maxFramePayload: config.daemon.maxFramePayload)
                }
            } catch {
                for device in started.values { await stopDevice(device) }
                throw error
            }
            lock.withLock { state.running = started }
            return listeners
        }
    }

    /// Closes the listeners, then the open connections, then the event loops.
    public func stop() async {
        await operations.run {
            let running = lock.withLock { () -> [RunningDevice] in
                defer { state.running.removeAll() }
                return Array(state.running.values)
            }
            for device in running { await stopDevice(device) }
            try? await group.shutdownGracefully()
        }
    }

    // MARK: Reload

    /// What a reload did, by device name.
    public struct ReloadSummary: Sendable, CustomStringConvertible {
        public var added: [String] = []
        public var removed: [String] = []
        public var changed: [String] = []
        public var unchanged: [String] = []
        /// The listeners bound by this reload (added and changed devices).
        public var listeners: [BoundListener] = []
        /// Settings of the new config that apply only after a restart.
        public var notes: [String] = []

        public var description: String {
            "\(added.count) added, \(removed.count) removed, \(changed.count) changed, \(unchanged.count) unchanged"
        }
    }

    /// Told when a reload begins and how it ends (sd_notify RELOADING=1 / READY=1 + STATUS=).
    public enum ReloadEvent: Sendable {
        case started
        case finished(ReloadSummary)
        case failed(any Error)
    }

    public typealias ReloadObserver = @Sendable (ReloadEvent) -> Void

    /// Where `reload()` (SIGHUP, the control API) reads the config from: the executable re-reads
    /// the same file with the same overrides. Throwing means "invalid config: nothing changes".
    public func setConfigSource(_ source: @escaping @Sendable () throws -> FleetConfig) {
        hooks.withLockedValue { $0.configSource = source }
    }

    public func setReloadObserver(_ observer: @escaping ReloadObserver) {
        hooks.withLockedValue { $0.observer = observer }
    }

    /// Re-reads the config from the config source and applies it; the observer sees the
    /// beginning and the outcome. An invalid config changes nothing and throws.
    public func reload() async throws -> ReloadSummary {
        let (source, observer) = hooks.withLockedValue { ($0.configSource, $0.observer) }
        guard let source else { throw ReloadError(reason: "this daemon has no config source to reload from") }
        observer?(.started)
        do {
            // Read and fully validate the new config before anything changes.
            let newConfig = try source()
            let summary = try await reload(config: newConfig)
            observer?(.finished(summary))
            return summary
        } catch {
            observer?(.failed(error))
            throw error
        }
    }

    /// Applies `newConfig` (already loaded and validated): removed devices stop (listeners and
    /// connections), changed devices restart, added devices start, unchanged devices keep their
    /// listeners and connections. When a listener cannot be bound, the previous devices are
    /// restored as far as possible and the error is thrown.
    public func reload(config newConfig: FleetConfig) async throws -> ReloadSummary {
        try await operations.run {
            let (oldConfig, oldRunning) = lock.withLock { (state.config, state.running) }
            var summary = ReloadSummary()
            let newNames = Set(newConfig.devices.map(\.name))
            summary.removed = oldConfig.devices.map(\.name).filter { !newNames.contains($0) }
            let frameLimitChanged = oldConfig.daemon.maxFramePayload != newConfig.daemon.maxFramePayload
            for device in newConfig.devices {
                if let old = oldRunning[device.name] {
                    if !frameLimitChanged && Self.sameDevice(old.runtime.definition, device) {
                        summary.unchanged.append(device.name)
                    } else {
                        summary.changed.append(device.name)
                    }
                } else {
                    summary.added.append(device.name)
                }
            }
            summary.notes = Self.restartOnlySettings(old: oldConfig.daemon, new: newConfig.daemon)

            // 1. Stop what goes away or restarts, so a port or socket path can be reused.
            let stopping = summary.removed + summary.changed
            for name in stopping {
                if let device = oldRunning[name] { await stopDevice(device) }
            }
            // 2. Start what is new or changed.
            var started: [String: RunningDevice] = [:]
            let toStart = Set(summary.added + summary.changed)
            do {
                for device in newConfig.devices where toStart.contains(device.name) {
                    let runtime = makeRuntime(device, stateDirectory: newConfig.daemon.stateDirectory,
                                              lastGoodProvisioned: oldRunning[device.name]?.runtime.provisioned)
                    started[device.name] = try await startDevice(runtime, maxFramePayload: newConfig.daemon.maxFramePayload)
                }
            } catch {
                // 3'. Roll back: close what this reload bound, restart the previous devices.
                for device in started.values { await stopDevice(device) }
                var restored = oldRunning
                for name in stopping {
                    guard let previous = oldRunning[name] else { continue }
                    do {
                        restored[name] = try await startDevice(previous.runtime, maxFramePayload: oldConfig.daemon.maxFramePayload)
                    } catch {
                        restored[name] = nil
                        logger.critical("reload rollback: device '\(name)' cannot be restarted: \(error)", metadata: ["spdm_device": "\(name)"])
                    }
                }
                lock.withLock { state.running = restored }
                throw ReloadError(reason: "\(error); the previous config stays in force")
            }
            // 3. Commit.
            var running = oldRunning
            for name in summary.removed {
                running[name] = nil
                statistics.removeDevice(name)
            }
            for (name, device) in started { running[name] = device }
            lock.withLock {
                state.config = newConfig
                state.running = running
            }
            applyConnectionBudget(newConfig)
            summary.listeners = newConfig.devices.filter { toStart.contains($0.name) }.flatMap { device in
                (running[device.name]?.listeners ?? []).map { BoundListener(device: device.name, address: $0.shown) }
            }
            return summary
        }
    }

    /// Unchanged: the same config text (fingerprint), listeners, transport and certificate material
    /// (a chain file may change behind an unchanged config).
    static func sameDevice(_ old: DeviceDefinition, _ new: DeviceDefinition) -> Bool {
        old.fingerprint == new.fingerprint && old.listeners == new.listeners && old.transport == new.transport
            && old.responder.slots.map(\.certificatesDER) == new.responder.slots.map(\.certificatesDER)
            && old.responder.slots.map(\.rootCertificateDER) == new.responder.slots.map(\.rootCertificateDER)
    }

    static func restartOnlySettings(old: DaemonSettings, new: DaemonSettings) -> [String] {
        var notes: [String] = []
        if old.controlSocket != new.controlSocket { notes.append("control_socket changes on restart") }
        if old.metrics != new.metrics { notes.append("metrics changes on restart") }
        if old.logLevel != new.logLevel { notes.append("log_level changes on restart") }
        if old.stateDirectory != new.stateDirectory { notes.append("state_directory changes on restart for unchanged devices") }
        return notes
    }

    // MARK: Devices

    /// `lastGoodProvisioned`: on reload, the provisioned state the device held, kept should its
    /// provisioned.json have become unreadable.
    private func makeRuntime(_ device: DeviceDefinition, stateDirectory: String,
                             lastGoodProvisioned: ProvisionedState? = nil) -> DeviceRuntime {
        DeviceRuntime(definition: device, counters: statistics.counters(for: device.name), stateDirectory: stateDirectory,
                      logger: deviceLogger(device), lastGoodProvisioned: lastGoodProvisioned)
    }

    private func deviceLogger(_ device: DeviceDefinition) -> Logger {
        var deviceLogger = logger
        deviceLogger[metadataKey: "spdm_device"] = "\(device.name)"
        if let level = device.logLevel, let parsed = Logger.Level(rawValue: level) { deviceLogger.logLevel = parsed }
        return deviceLogger
    }

    /// Binds every listener of one device; on failure closes the ones bound and throws.
    private func startDevice(_ runtime: DeviceRuntime, maxFramePayload: Int) async throws -> RunningDevice {
        let device = runtime.definition
        let deviceLogger = deviceLogger(device)
        let limiter = DeviceConnectionLimiter(device: device.name, maxConnections: device.maxConnections,
                                              fleet: connectionLimiter, counters: runtime.counters)
        var bound: [BoundChannel] = []
        do {
            for address in device.listeners {
                let listener = DeviceListener(device: device, address: address, maxFramePayload: maxFramePayload,
                                              logger: deviceLogger, statistics: statistics, runtime: runtime,
                                              limiter: limiter, socketActivation: socketActivation)
                let channel: Channel
                do {
                    channel = try await listener.bind(group: group)
                } catch let error as ListenerError {
                    throw error
                } catch {
                    throw ListenerError(address: address, reason: "\(error)")
                }
                var ownedPath: String?
                if case .unix(let path, _) = address, listener.inheritedSocket == nil { ownedPath = path }
                let shown: String
                if case .tcp(let host, _) = address, let port = channel.localAddress?.port {
                    shown = "tcp:\(host):\(port)"
                } else {
                    shown = address.description
                }
                bound.append(BoundChannel(address: address, channel: channel, shown: shown, ownedPath: ownedPath))
            }
        } catch {
            await stopDevice(RunningDevice(runtime: runtime, listeners: bound))
            throw error
        }
        return RunningDevice(runtime: runtime, listeners: bound)
    }

    /// Closes a device's listeners (removing the socket files it created), then its connections.
    private func stopDevice(_ device: RunningDevice) async {
        for listener in device.listeners {
            try? await listener.channel.close()
            if let path = listener.ownedPath { unlink(path) }
        }
        await device.runtime.closeConnections()
    }
}

public struct ReloadError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "reload failed: \(reason)" }
}

/// Runs async operations one at a time, in arrival order.
final class AsyncSerializer: @unchecked Sendable {
    private let lock = NIOLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = lock.withLock { () -> Bool in
                if busy {
                    waiters.append(continuation)
                    return false
                }
                busy = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if waiters.isEmpty {
                busy = false
                return nil
            }
            return waiters.removeFirst()
        }
        next?.resume()
    }
}
