import ArgumentParser
import Foundation
import Logging
import SPDMDaemon
import SPDMDevice

/// spdm-fleetd: hosts a fleet of virtual SPDM responders. Only argument parsing and wiring here.
@main
struct FleetDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spdm-fleetd",
        abstract: "Host many virtual SPDM responders (DSP0274 1.0-1.4) on TCP and Unix sockets.",
        discussion: """
        Each [[device]] in the config file is one virtual responder with its own listeners (spdm-emu \
        platform framing: MCTP, PCI-DOE, TCP or NONE binding), versions, capabilities, algorithm \
        preferences, certificate slots, measurements and PSKs. Without --config the embedded default \
        config runs (several devices on loopback; see config/default.toml).

        Relative certificate and key paths are relative to the config file; relative Unix socket \
        paths to the runtime directory. Generated keys, the builtin CA (<state>/ca, laid out like \
        libspdm's sample keys so DMTF's spdm_requester_emu can be run from there) and acknowledged \
        device state live in the state directory.

        Runs in the foreground until SIGINT or SIGTERM; SIGHUP re-reads the config (devices that \
        did not change keep their connections; an invalid config changes nothing). Exit status: 0 \
        after a clean stop, 78 for a bad config, 1 when a listener cannot be bound.

        Every listener and connection is a descriptor: the daemon raises its soft open-file limit to \
        the hard one and serves at most (limit - listeners - reserve of 64 + 1%) connections at once, less \
        with [daemon] max_connections; a device's max_connections caps that device alone. A \
        connection over a cap is accepted and closed at once with a log line (never left in the \
        backlog). A connection that stops sending in the middle of a platform frame is closed after \
        [daemon] frame_timeout seconds (default 30); one idle between frames stays open. When the \
        config's listeners and connections do not fit the limit, a warning is logged and kept in \
        STATUS=.

        As a systemd service (spdm-fleetd.service, Type=notify): READY=1 once every listener is \
        bound, STATUS= with devices, connections, sessions and requests, WATCHDOG=1 from every event \
        loop at half of WatchdogSec=, RELOADING=1 and STOPPING=1. Sockets passed by socket activation \
        (spdm-fleetd.socket) are adopted by the device named in their FileDescriptorName=; other \
        devices bind their own listeners. Under journald each entry carries SPDM_DEVICE, \
        SPDM_CONNECTION, SPDM_REQUEST, SPDM_VERSION, SPDM_ERROR fields: journalctl SPDM_DEVICE=gpu0.
        """)

    @Option(name: .long, help: ArgumentHelp("Config file (TOML).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "State directory: generated keys, the builtin CA, and each device's persisted state (default: $STATE_DIRECTORY, "
            + "$XDG_STATE_HOME/spdm-fleetd or ~/.local/state/spdm-fleetd).",
        valueName: "dir"))
    var stateDirectory: String?

    @Option(name: .customLong("runtime-dir"), help: ArgumentHelp(
        "Directory for relative Unix socket paths (default: $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR/spdm-fleetd or /tmp/spdm-fleetd-UID).",
        valueName: "dir"))
    var runtimeDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (overrides the config).")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp(
        "journal (structured fields through sd_journal_sendv), stderr, or auto: the journal when stderr is connected to it (JOURNAL_STREAM).",
        valueName: "format"))
    var logFormat: LogDestination = .auto

    @Option(name: .customLong("control-socket"), help: ArgumentHelp(
        "Control API socket, JSON over HTTP, mode 0600 (default: [daemon] control_socket, else <runtime dir>/control.sock; \"none\" disables it).",
        valueName: "path"))
    var controlSocket: String?

    @Option(name: .long, help: ArgumentHelp(
        "Serve only the devices whose index in the config is I modulo N (default: $SPDM_FLEET_SHARD); auto/N takes I from "
            + "the host name's trailing -<ordinal>, as a Kubernetes StatefulSet's pods are named.",
        valueName: "I/N"))
    var shard: String?

    @Flag(name: .long, help: "Validate the config, print the devices, and exit.")
    var check = false

    @Flag(name: .customLong("print-default-config"), help: "Print the embedded default config and exit.")
    var printDefaultConfig = false

    func run() async throws {
        if printDefaultConfig {
            print(DefaultConfig.text, terminator: "")
            return
        }
        let shard: Shard?
        do {
            shard = try (self.shard ?? ProcessInfo.processInfo.environment["SPDM_FLEET_SHARD"]).map {
                try Shard(parsing: $0, hostname: ProcessInfo.processInfo.hostName)
            }
        } catch let error as Shard.ParseError {
            throw ValidationError(error.description)
        }
        let loadConfig = configSource(shard: shard)
        let fleet: FleetConfig
        do {
            fleet = try loadConfig()
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("spdm-fleetd: \(error)\n".utf8))
            throw ExitCode(78)
        }
        if check {
            for device in fleet.devices {
                print("\(device.name): \(device.transport) \(device.listeners.map(\.description).joined(separator: ", "))")
            }
            let sharding = fleet.shard.map { " (shard \($0) of \(fleet.fleetDeviceCount))" } ?? ""
            print("\(fleet.source): \(fleet.devices.count) devices\(sharding) OK")
            return
        }

        DaemonLogging.bootstrap(level: Logger.Level(rawValue: logLevel ?? fleet.daemon.logLevel) ?? .info, destination: logFormat)
        // Reload (SIGHUP and POST /v1/reload): the same file, or the embedded default, with the same overrides.
        do {
            try await DaemonLifecycle(fleet: fleet, configSource: loadConfig, logger: Logger(label: "spdm-fleetd")).run()
        } catch is DaemonLifecycle.StartFailure {
            throw ExitCode(1)
        }
    }
}

extension LogDestination: ExpressibleByArgument {}

extension FleetDaemonCommand {
    /// Loads the config file (or the embedded default) with the command line's overrides, cut to
    /// `shard`; used at start and again on every reload.
    func configSource(shard: Shard?) -> @Sendable () throws -> FleetConfig {
        var configured = ConfigLoader(stateDirectoryOverride: stateDirectory, runtimeDirectoryOverride: runtimeDirectory)
        configured.shard = shard
        configured.progress = DaemonLogging.progressReporter()
        let loader = configured
        let file = config
        let controlSocket = controlSocket
        let workingDirectory = FileManager.default.currentDirectoryPath
        return {
            var fleet = try file.map { try loader.load(file: $0) }
                ?? loader.load(text: DefaultConfig.text, source: DefaultConfig.sourceName, baseDirectory: workingDirectory)
            if let controlSocket {
                fleet.daemon.controlSocket = controlSocket == "none" ? nil
                    : controlSocket.hasPrefix("/") ? controlSocket : workingDirectory + "/" + controlSocket
            }
            return try shard.map { try fleet.sharded($0) } ?? fleet
        }
    }
}
