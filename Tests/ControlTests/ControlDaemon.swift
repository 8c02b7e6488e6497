import Foundation
import SPDMRequester
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

/// The real spdm-fleetd binary on a config written for the test, in a scratch directory that a
/// second daemon can reuse (restart tests). Adapted from IntegrationTests/DaemonProcess.swift;
/// the control socket is <directory>/run/control.sock.
final class ControlDaemon: @unchecked Sendable {
    let directory: String
    let process = Process()
    private let output = Pipe()
    private var log = ""
    private let lock = NSLock()
    /// Remove the directory when this daemon goes away (false for one whose directory is reused).
    var ownsDirectory = true

    static var buildDirectory: URL {
        let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("spdm-fleetd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    static func binary(_ name: String) -> String { buildDirectory.appendingPathComponent(name).path }

    var configPath: String { directory + "/fleet.toml" }
    var controlSocket: String { directory + "/run/control.sock" }

    init(config: String, directory reused: String? = nil) throws {
        directory = reused ?? NSTemporaryDirectory() + "spdm-fleetd-ct-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try config.write(toFile: directory + "/fleet.toml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary("spdm-fleetd"))
        process.arguments = ["--config", directory + "/fleet.toml", "--state-dir", directory + "/state", "--runtime-dir", directory + "/run"]
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
        guard waitFor(" ready", timeout: 120) else { throw TestError("spdm-fleetd did not become ready: \(text)") }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Waits until the log contains `fragment` (true) or the time is up / the daemon exited (false).
    @discardableResult
    func waitFor(_ fragment: String, after offset: Int = 0, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = text
            if current.count > offset, current.dropFirst(offset).contains(fragment) { return true }
            if !process.isRunning { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// The latest TCP port logged for `device` (a restarted device logs its new port).
    func port(_ device: String) -> Int? {
        var port: Int?
        for line in text.split(separator: "\n") where line.contains("listening") && line.contains("spdm_device=\(device) ") {
            if let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=tcp:") }) {
                port = Int(address.split(separator: ":").last!)
            }
        }
        return port
    }

    func rewriteConfig(_ config: String) throws {
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// kill -9: no cleanup at all.
    func crash() {
        ownsDirectory = false
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }

    deinit {
        _ = stop()
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion: exit status, stdout and stderr.
func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read stderr concurrently so neither pipe can fill up and block the child.
    nonisolated(unsafe) var errorData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errorData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outputData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

func spdmctl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try run(ControlDaemon.binary("spdmctl"), arguments)
}

/// curl, when installed (the Makefile's deps target installs it); nil when it is not.
let curlPath: String? = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `curl --unix-socket`; returns the HTTP status and the body.
func curl(_ socket: String, _ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: String) {
    guard let curlPath else { throw TestError("curl is not installed") }
    var arguments = ["-s", "-S", "--unix-socket", socket, "-X", method, "-w", "\n%{http_code}", "http://localhost" + path]
    if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
    let result = try run(curlPath, arguments)
    guard result.status == 0 else { throw TestError("curl failed: \(result.stderr)") }
    var lines = result.stdout.components(separatedBy: "\n")
    let status = Int(lines.removeLast()) ?? 0
    return (status, lines.joined(separator: "\n"))
}

func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

