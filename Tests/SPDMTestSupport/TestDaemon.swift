import Foundation

/// The real spdm-fleetd binary on a config written for the test, in a scratch directory
/// (`fleet.toml`, `state/`, `run/`; the control socket is `run/control.sock`). Waits for the
/// "ready" line. A second daemon may reuse the directory (restart tests).
public final class TestDaemon: @unchecked Sendable {
    public let directory: String
    public let child: ChildProcess
    /// Remove the directory when this daemon goes away (false for one whose directory is reused).
    public var ownsDirectory = true

    public var configPath: String { directory + "/fleet.toml" }
    public var controlSocket: String { directory + "/run/control.sock" }
    public var runtimeDirectory: String { directory + "/run" }

    /// `launcher` runs the daemon through another program that execs it (such as
    /// `["/usr/bin/prlimit", "--nofile=300:300"]` for a low descriptor limit).
    public init(config: String, directory reused: String? = nil, extraArguments: [String] = [], launcher: [String] = []) throws {
        directory = reused ?? NSTemporaryDirectory() + "spdm-fleetd-t-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try config.write(toFile: directory + "/fleet.toml", atomically: true, encoding: .utf8)
        let command = launcher + [Products.path("spdm-fleetd"),
                                  "--config", directory + "/fleet.toml", "--state-dir", directory + "/state",
                                  "--runtime-dir", directory + "/run"] + extraArguments
        child = try ChildProcess(command[0], Array(command.dropFirst()))
        guard child.waitFor(" ready", timeout: Limits.startup) else {
            throw TestSupportError("spdm-fleetd did not become ready: \(child.text)")
        }
    }

    public var text: String { child.text }
    public var isRunning: Bool { child.isRunning }

    @discardableResult
    public func waitFor(_ fragment: String, after offset: Int = 0, timeout: TimeInterval = Limits.message) -> Bool {
        child.waitFor(fragment, after: offset, timeout: timeout)
    }

    /// The listener addresses logged per device ("tcp:127.0.0.1:port", "unix:/path").
    public var listeners: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.contains("listening") {
            let fields = line.split(separator: " ")
            guard let address = fields.first(where: { $0.hasPrefix("address=") })?.dropFirst("address=".count),
                  let device = fields.first(where: { $0.hasPrefix("spdm_device=") })?.dropFirst("spdm_device=".count) else { continue }
            result[String(device), default: []].append(String(address))
        }
        return result
    }

    /// The latest TCP port logged for `device` (a restarted device logs its new port).
    public func port(_ device: String) -> Int? {
        listeners[device]?.last { $0.hasPrefix("tcp:") }.flatMap { Int($0.split(separator: ":").last!) }
    }

    public func rewriteConfig(_ config: String) throws {
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    public func signal(_ number: Int32) { child.signal(number) }

    @discardableResult
    public func stop() -> Int32 { child.stop() }

    /// kill -9: no cleanup at all; the directory stays for a successor.
    public func crash() {
        ownsDirectory = false
        child.crash()
    }

    deinit {
        child.stop()
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
