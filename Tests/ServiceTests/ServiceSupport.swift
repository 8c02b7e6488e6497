import Foundation
import SPDMTransport
#if canImport(Glibc)
import Glibc
#endif

/// Generous limits: the tests run on loaded 2-core machines; nothing here measures time.
enum Limits {
    static let startup: TimeInterval = 180
    static let message: TimeInterval = 120
}

struct ServiceTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Where the built products are (the test runner sits next to them on Linux).
enum Products {
    static var directory: URL {
        let executable = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("spdm-fleetd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The package root (for systemd/ and config/).
    static var packageRoot: URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }
}

/// A scratch directory removed when the value goes away. Kept short: Unix socket paths live in it.
final class ScratchDirectory: @unchecked Sendable {
    let path: String

    init(_ prefix: String) throws {
        path = "/tmp/spdm-svc-\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A child process with its output collected (stdout and stderr together).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private var log = ""
    private let lock = NSLock()

    /// The environment of this test process without anything a service manager may have set for it.
    static var cleanEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                    "JOURNAL_STREAM", "INVOCATION_ID"] {
            environment[key] = nil
        }
        return environment
    }

    init(_ executable: String, _ arguments: [String], environment: [String: String] = ChildProcess.cleanEnvironment) throws {
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

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    var isRunning: Bool { process.isRunning }

    /// Waits (polling, generously) until `condition` holds on the output; false if the process
    /// exited first or the limit passed.
    func waitForOutput(_ limit: TimeInterval = Limits.startup, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if condition(text) { return true }
            if !process.isRunning { return condition(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(text)
    }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { stop() }
}

/// Runs a command to completion, returning its exit status and combined output.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A datagram Unix socket standing in for the service manager's NOTIFY_SOCKET.
final class NotifySocketListener: @unchecked Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceTestError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw ServiceTestError("bind \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil when none came within `limit`.
    func receive(within limit: TimeInterval = Limits.message) -> String? {
        let deadline = Date().addingTimeInterval(limit)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return nil }
        }
        return nil
    }

    /// Receives messages until one satisfies `condition`; returns every message seen, in order.
    func receive(until condition: (String) -> Bool, within limit: TimeInterval = Limits.message) -> (messages: [String], found: Bool) {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline, let message = receive(within: max(1, deadline.timeIntervalSinceNow)) {
            messages.append(message)
            if condition(message) { return (messages, true) }
        }
        return (messages, false)
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

extension String {
    /// The assignments of one notify message ("READY=1\nSTATUS=..." -> ["READY": "1", "STATUS": "..."]).
    var notifyAssignments: [String: String] {
        var result: [String: String] = [:]
        for line in split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }
}

/// A free TCP port on loopback (bound to port 0, then released), above the ranges the project reserves.
func freeLoopbackPort() throws -> Int {
    for _ in 0..<20 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { continue }
        let port = Int(UInt16(bigEndian: address.sin_port))
        if (2323...2350).contains(port) || (20000...21000).contains(port) { continue }
        return port
    }
    throw ServiceTestError("no free loopback port")
}


/// A small device definition for the tests' configs.
func deviceConfig(name: String, transport: String = "mctp", listener: String) -> String {
    """
    [[device]]
    name = "\(name)"
    transport = "\(transport)"
    \(listener)
    [[device.slot]]
    generate = { algorithm = "ECDSA_P256" }
    [[device.measurement]]
    index = 1
    type = "mutable_firmware"
    value = "fw"

    """
}
