import Foundation

/// The real spdm-fleetd binary started on a config written for the test, in its own scratch
/// directories. Waits for the "ready" line and collects the bound listener addresses.
final class DaemonProcess: @unchecked Sendable {
    let directory: String
    let process = Process()
    private let output = Pipe()
    private var log = ""
    private let lock = NSLock()
    private(set) var listeners: [String: [String]] = [:]

    static var buildDirectory: URL {
        let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On Linux the test runner sits next to the products; on macOS inside an .xctest bundle.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("spdm-fleetd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    static func binary(_ name: String) -> String { buildDirectory.appendingPathComponent(name).path }

    init(config: String) throws {
        directory = NSTemporaryDirectory() + "spdm-fleetd-it-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = directory + "/fleet.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary("spdm-fleetd"))
        process.arguments = ["--config", configPath, "--state-dir", directory + "/state", "--runtime-dir", directory + "/run"]
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.log += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if text.contains(" ready") { break }
            guard process.isRunning else { throw DaemonError("spdm-fleetd exited: \(text)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard text.contains(" ready") else { throw DaemonError("spdm-fleetd did not become ready: \(text)") }
        for line in text.split(separator: "\n") where line.contains("listening") {
            let fields = line.split(separator: " ")
            guard let address = fields.first(where: { $0.hasPrefix("address=") })?.dropFirst("address=".count),
                  let device = fields.first(where: { $0.hasPrefix("spdm_device=") })?.dropFirst("spdm_device=".count) else { continue }
            listeners[String(device), default: []].append(String(address))
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    var isRunning: Bool { process.isRunning }

    /// The TCP port of a device's first TCP listener.
    func port(_ device: String) -> Int? {
        listeners[device]?.first { $0.hasPrefix("tcp:") }.flatMap { Int($0.split(separator: ":").last!) }
    }

    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit {
        _ = stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct DaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion, returning its exit status and combined output.
func runProcess(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
