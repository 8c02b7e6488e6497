import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the built products are: the test runner sits next to them on Linux (inside an .xctest
/// bundle on macOS, hence the walk upwards).
public enum Products {
    public static var directory: URL {
        let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("spdm-fleetd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The package root (for systemd/ and config/).
    public static var packageRoot: URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }
}

/// Generous limits: the tests run on loaded 2-core machines; nothing here measures time.
public enum Limits {
    public static let startup: TimeInterval = 180
    public static let message: TimeInterval = 120
}

/// A child process with its output collected (stdout and stderr together), stopped with SIGTERM
/// when the value goes away.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let output = Pipe()
    private var log = ""
    private let lock = NSLock()

    /// The environment of this test process without anything a service manager may have set for it.
    public static var cleanEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                    "JOURNAL_STREAM", "INVOCATION_ID"] {
            environment[key] = nil
        }
        return environment
    }

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = ChildProcess.cleanEnvironment) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
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
    }

    /// Everything the process wrote so far.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    public var isRunning: Bool { process.isRunning }

    /// Waits (polling, generously) until `condition` holds on the output; false if the process
    /// exited first or the limit passed.
    public func waitForOutput(_ limit: TimeInterval = Limits.startup, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if condition(text) { return true }
            if !process.isRunning { return condition(text) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition(text)
    }

    /// Waits until the output after the first `offset` characters contains `fragment`.
    @discardableResult
    public func waitFor(_ fragment: String, after offset: Int = 0, timeout: TimeInterval = Limits.message) -> Bool {
        waitForOutput(timeout) { $0.count > offset && $0.dropFirst(offset).contains(fragment) }
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// SIGTERM, then the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// kill -9: no cleanup at all.
    public func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }

    deinit { stop() }
}

/// Runs a command to completion: its exit status and combined output.
public func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let result = try runSeparately(path, arguments, environment: environment)
    return (result.status, result.stdout + result.stderr)
}

/// Runs a command to completion: exit status, stdout and stderr apart.
public func runSeparately(_ path: String, _ arguments: [String], environment: [String: String]? = nil)
    throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
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
