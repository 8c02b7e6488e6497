import Foundation
import SPDMCrypto
import TOMLKit

/// Reads a fleet config file (TOML) into validated device definitions. Paths in the file are
/// relative to the file's directory. Every problem is one `ConfigError` naming file, device and key.
public struct ConfigLoader: Sendable {
    /// Overrides `[daemon] state_directory` (the `--state-dir` flag).
    public var stateDirectoryOverride: String?
    /// Overrides `[daemon] runtime_directory` (the `--runtime-dir` flag).
    public var runtimeDirectoryOverride: String?
    /// The shard the daemon serves: devices of other shards keep their names and listeners (for
    /// the uniqueness checks) but get no identity generated here.
    public var shard: Shard?
    /// Told how the generation of fleet identities goes (a line every few percent), for a progress
    /// line on stderr and STATUS= under systemd.
    public var progress: (@Sendable (String) -> Void)?

    public init(stateDirectoryOverride: String? = nil, runtimeDirectoryOverride: String? = nil) {
        self.stateDirectoryOverride = stateDirectoryOverride
        self.runtimeDirectoryOverride = runtimeDirectoryOverride
    }

    public func load(file path: String) throws -> FleetConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "cannot read the file (missing, unreadable or not UTF-8)")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try load(text: text, source: path, baseDirectory: directory)
    }

    public func load(text: String, source: String, baseDirectory: String) throws -> FleetConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: source, "TOML syntax error at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        let top = ConfigTable(table: root, file: source, device: nil, path: "")
        try top.allowOnly(["daemon", "device"])
        let daemon = try loadDaemon(top.subtable("daemon"), source: source, baseDirectory: baseDirectory)
        let shard = self.shard
        let context = LoadContext(file: source, baseDirectory: baseDirectory, stateDirectory: daemon.stateDirectory,
                                  runtimeDirectory: daemon.runtimeDirectory, serves: { shard?.serves($0) ?? true }, progress: progress)
        var devices: [DeviceDefinition] = []
        for table in try top.tableArray("device") {
            devices += try DeviceLoader(context: context).load(table, firstIndex: devices.count)
        }
        guard !devices.isEmpty else { throw ConfigError(file: source, key: "device", "no [[device]] is defined") }
        try checkUnique(devices, source: source)
        return FleetConfig(source: source, daemon: daemon, devices: devices)
    }

    private func loadDaemon(_ table: ConfigTable?, source: String, baseDirectory: String) throws -> DaemonSettings {
        var settings = DaemonSettings(stateDirectory: stateDirectoryOverride ?? StateDirectory.defaultPath(),
                                      runtimeDirectory: runtimeDirectoryOverride ?? StateDirectory.defaultRuntimePath())
        guard let table else { return settings }
        try table.allowOnly(["max_frame_payload", "log_level", "state_directory", "runtime_directory", "control_socket", "metrics",
                            "max_connections", "frame_timeout"])
        if let size = try table.int("max_frame_payload", in: 64...16_777_216) { settings.maxFramePayload = size }
        settings.maxConnections = try table.int("max_connections", in: 1...10_000_000)
        if let seconds = try table.int("frame_timeout", in: 0...86_400) { settings.frameTimeout = seconds }
        if let level = try table.string("log_level") { settings.logLevel = try LogLevels.validate(level, table, "log_level") }
        if stateDirectoryOverride == nil, let state = try table.string("state_directory") {
            settings.stateDirectory = resolve(state, against: baseDirectory)
        }
        if runtimeDirectoryOverride == nil, let runtime = try table.string("runtime_directory") {
            settings.runtimeDirectory = resolve(runtime, against: baseDirectory)
        }
        settings.controlSocket = settings.runtimeDirectory + "/control.sock"
        if let control = try table.string("control_socket") {
            settings.controlSocket = control == "none" ? nil : resolve(control, against: settings.runtimeDirectory)
        }
        if let metrics = try table.string("metrics") {
            guard let colon = metrics.lastIndex(of: ":"), let port = Int(metrics[metrics.index(after: colon)...]),
                  (0...65_535).contains(port) else {
                throw table.error("metrics", "expected \"host:port\" such as \"127.0.0.1:9464\", got '\(metrics)'")
            }
            var host = String(metrics[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            settings.metrics = MetricsAddress(host: host.isEmpty ? "127.0.0.1" : host, port: port)
        }
        return settings
    }

    private func checkUnique(_ devices: [DeviceDefinition], source: String) throws {
        var names: Set<String> = []
        var listeners: [ListenerAddress: String] = [:]
        for device in devices {
            guard names.insert(device.name).inserted else {
                throw ConfigError(file: source, device: device.name, key: "name", "two devices are named '\(device.name)'")
            }
            for listener in device.listeners {
                if case .tcp(_, 0) = listener { continue }
                if let other = listeners[listener] {
                    throw ConfigError(file: source, device: device.name, key: "listen", "\(listener) is already used by device '\(other)'")
                }
                listeners[listener] = device.name
            }
        }
    }
}

/// What every part of a device's loading needs to know.
struct LoadContext: Sendable {
    var file: String
    var baseDirectory: String
    var stateDirectory: String
    var runtimeDirectory: String
    /// Whether this daemon serves the device at this index of the whole config (its shard).
    var serves: @Sendable (Int) -> Bool = { _ in true }
    var progress: (@Sendable (String) -> Void)?
    /// CAs and prepared fleet leaves, shared by every device of one load.
    let caches = LoadCaches()
}

extension LoadContext {
    /// The CA that issues a generated slot's leaf: `ca = "builtin"` (the state directory's, made on
    /// first use) or a CA directory in libspdm's layout; loaded once per load.
    func authority(_ caSetting: String, algorithm: SigningAlgorithm) throws -> CertificateAuthority {
        let directory = caSetting == "builtin" ? "builtin" : resolve(caSetting, against: baseDirectory)
        return try caches.authority("\(directory)/\(algorithm)") {
            caSetting == "builtin"
                ? try CertificateAuthority.builtin(stateDirectory: stateDirectory, algorithm: algorithm)
                : try CertificateAuthority.load(directory: directory, algorithm: algorithm)
        }
    }
}

func resolve(_ path: String, against base: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
}

enum LogLevels {
    static let all = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    static func validate(_ level: String, _ table: ConfigTable, _ key: String) throws -> String {
        guard all.contains(level.lowercased()) else {
            throw table.error(key, "unknown log level '\(level)' (expected one of: \(all.joined(separator: ", ")))")
        }
        return level.lowercased()
    }
}
