import ArgumentParser
import Dispatch
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
        Each [[device]] in the config file is one virtual responder with its own listeners (spdm-emu
        platform framing: MCTP, PCI-DOE, TCP or NONE binding), versions, capabilities, algorithm
        preferences, certificate slots, measurements and PSKs. Without --config the embedded default
        config runs (several devices on loopback; see config/default.toml).

        Relative certificate and key paths are relative to the config file; relative Unix socket
        paths to the runtime directory. Generated keys, the builtin CA (<state>/ca, laid out like
        libspdm's sample keys so DMTF's spdm_requester_emu can be run from there) and acknowledged
        device state live in the state directory.

        Runs in the foreground until SIGINT or SIGTERM. Exit status: 0 after a clean stop,
        78 for a bad config, 1 when a listener cannot be bound.
        """)

    @Option(name: .long, help: ArgumentHelp("Config file (TOML).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "State directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/spdm-fleetd or ~/.local/state/spdm-fleetd).",
        valueName: "dir"))
    var stateDirectory: String?

    @Option(name: .customLong("runtime-dir"), help: ArgumentHelp(
        "Directory for relative Unix socket paths (default: $RUNTIME_DIRECTORY, $XDG_RUNTIME_DIR/spdm-fleetd or /tmp/spdm-fleetd-UID).",
        valueName: "dir"))
    var runtimeDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (overrides the config).")
    var logLevel: String?

    @Flag(name: .long, help: "Validate the config, print the devices, and exit.")
    var check = false

    @Flag(name: .customLong("print-default-config"), help: "Print the embedded default config and exit.")
    var printDefaultConfig = false

    func run() async throws {
        if printDefaultConfig {
            print(DefaultConfig.text, terminator: "")
            return
        }
        let loader = ConfigLoader(stateDirectoryOverride: stateDirectory, runtimeDirectoryOverride: runtimeDirectory)
        let fleet: FleetConfig
        do {
            if let config {
                fleet = try loader.load(file: config)
            } else {
                fleet = try loader.load(text: DefaultConfig.text, source: DefaultConfig.sourceName,
                                        baseDirectory: FileManager.default.currentDirectoryPath)
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("spdm-fleetd: \(error)\n".utf8))
            throw ExitCode(78)
        }
        if check {
            for device in fleet.devices {
                print("\(device.name): \(device.transport) \(device.listeners.map(\.description).joined(separator: ", "))")
            }
            print("\(fleet.source): \(fleet.devices.count) devices OK")
            return
        }

        let level = Logger.Level(rawValue: logLevel ?? fleet.daemon.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "spdm-fleetd")
        let shutdown = ShutdownSignal()
        let openFiles = ResourceLimits.raiseOpenFileLimit()
        let needed = fleet.devices.reduce(0) { $0 + $1.listeners.count }
        if UInt64(needed) * 2 > openFiles {
            logger.warning("the open-file limit \(openFiles) leaves little room for connections beside \(needed) listeners")
        }
        let daemon = FleetDaemon(config: fleet, logger: logger)
        do {
            let listeners = try await daemon.start()
            for listener in listeners {
                logger.info("listening", metadata: ["spdm_device": "\(listener.device)", "address": "\(listener.address)"])
            }
            logger.notice("ready", metadata: ["devices": "\(fleet.devices.count)", "listeners": "\(listeners.count)",
                                              "ca_directory": "\(CertificateAuthority.builtinDirectory(stateDirectory: fleet.daemon.stateDirectory))"])
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        let signal = await shutdown.wait()
        logger.notice("stopping", metadata: ["signal": "\(signal)"])
        await daemon.stop()
    }
}

/// SIGINT and SIGTERM, caught from the moment this is created (before any listener is bound, so a
/// supervisor's early SIGTERM is never lost); `wait()` resolves with the first one's name.
final class ShutdownSignal: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.stream = stream
        let queue = DispatchQueue(label: "spdm-fleetd.signals")
        sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
    }

    func wait() async -> String {
        for await name in stream { return name }
        return "end of signal stream"
    }

    deinit { sources.forEach { $0.cancel() } }
}
