import Foundation
import Logging
import SPDMDevice

/// The daemon's life from start to stop, as spdm-fleetd runs it: signals caught first, the
/// descriptor limit raised, every listener bound, the control API and metrics bound, READY=1 with
/// STATUS=, the watchdog fed from every event loop, SIGHUP and POST /v1/reload re-reading the config
/// through `configSource`, and on SIGINT/SIGTERM STOPPING=1 and a graceful stop.
public struct DaemonLifecycle {
    /// A listener (device, control or metrics) could not be bound: nothing is left running.
    public struct StartFailure: Error, CustomStringConvertible {
        public var underlying: any Error
        public var description: String { "\(underlying)" }
    }

    let fleet: FleetConfig
    let configSource: @Sendable () throws -> FleetConfig
    let logger: Logger

    /// `fleet` is the config already loaded (and validated) from `configSource`.
    public init(fleet: FleetConfig, configSource: @escaping @Sendable () throws -> FleetConfig, logger: Logger) {
        self.fleet = fleet
        self.configSource = configSource
        self.logger = logger
    }

    /// Runs until SIGINT or SIGTERM; throws `StartFailure` when a listener cannot be bound.
    public func run() async throws {
        let shutdown = ShutdownSignal()
        let hangup = HangupSignal()
        let notifier = SystemdNotifier(logger: logger)
        let socketActivation = SocketActivation.fromEnvironment()
        for socket in socketActivation?.unclaimed(by: fleet.devices) ?? [] {
            logger.warning("a socket passed by the service manager matches no device listener; ignored",
                           metadata: ["socket": "\(socket)"])
        }
        // The daemon sizes its connection cap from this limit (and warns when the config does not fit it).
        ResourceLimits.raiseOpenFileLimit()
        let daemon = FleetDaemon(config: fleet, logger: logger, socketActivation: socketActivation)
        let control = ControlServer(daemon: daemon, logger: logger)
        daemon.setConfigSource(configSource)
        let status: @Sendable () -> String = {
            SystemdNotifier.statusLine(devices: daemon.config.devices.count, statistics: daemon.statistics.snapshot,
                                       warning: daemon.connectionBudget.warning, shard: daemon.config.shard?.description)
        }
        daemon.setReloadObserver(ReloadReporter(logger: logger, notifier: notifier, status: status).observe)

        do {
            try await start(daemon, control: control)
        } catch {
            logger.critical("\(error)")
            notifier.notify("STATUS=failed: \(error)")
            await control.stop()
            await daemon.stop()
            throw StartFailure(underlying: error)
        }
        notifier.ready(status: status())
        notifier.startWatchdog(on: daemon.eventLoopGroup)
        notifier.startStatusUpdates(on: daemon.eventLoopGroup.next(), status)
        let logger = self.logger
        let reloads = Task {
            for await _ in hangup.signals {
                logger.notice("SIGHUP received")
                _ = try? await daemon.reload()
            }
        }
        let signal = await shutdown.wait()
        logger.notice("stopping", metadata: ["signal": "\(signal)"])
        notifier.stopping()
        reloads.cancel()
        await control.stop()
        await daemon.stop()
    }

    /// Binds the devices' listeners, then the control socket and the metrics listener.
    private func start(_ daemon: FleetDaemon, control: ControlServer) async throws {
        let listeners = try await daemon.start()
        for listener in listeners {
            logger.info("listening", metadata: ["spdm_device": "\(listener.device)", "address": "\(listener.address)"])
        }
        if let path = fleet.daemon.controlSocket {
            try await control.bindControlSocket(path: path)
            logger.info("control API listening", metadata: ["address": "unix:\(path)"])
        }
        if let metrics = fleet.daemon.metrics {
            let address = try await control.bindMetrics(host: metrics.host, port: metrics.port)
            logger.info("metrics listening", metadata: ["address": "http://\(address)/metrics"])
        }
        var shard: Logger.Metadata = [:]
        if let cut = fleet.shard { shard = ["shard": "\(cut)", "fleet_devices": "\(fleet.fleetDeviceCount)"] }
        logger.notice("ready", metadata: shard.merging(["devices": "\(fleet.devices.count)", "listeners": "\(listeners.count)",
                                          "ca_directory": "\(CertificateAuthority.builtinDirectory(stateDirectory: fleet.daemon.stateDirectory))"],
                                                                 uniquingKeysWith: { $1 }))
    }
}

/// Tells the log and the service manager how a reload goes: RELOADING=1 when it begins, READY=1
/// with STATUS= when it ends either way.
struct ReloadReporter: Sendable {
    let logger: Logger
    let notifier: SystemdNotifier
    let status: @Sendable () -> String

    func observe(_ event: FleetDaemon.ReloadEvent) {
        switch event {
        case .started:
            notifier.reloading()
            logger.notice("reloading the config")
        case .finished(let summary):
            for listener in summary.listeners {
                logger.info("listening", metadata: ["spdm_device": "\(listener.device)", "address": "\(listener.address)"])
            }
            logger.notice("reloaded: \(summary)", metadata: [
                "added": "\(summary.added.joined(separator: ","))", "removed": "\(summary.removed.joined(separator: ","))",
                "changed": "\(summary.changed.joined(separator: ","))", "unchanged": "\(summary.unchanged.count)"])
            for note in summary.notes { logger.warning("reload: \(note)") }
            notifier.reloaded(status: status())
        case .failed(let error):
            logger.error("reload failed, the previous config stays in force: \(error)")
            notifier.reloadFailed("\(error)", status: status())
        }
    }
}
