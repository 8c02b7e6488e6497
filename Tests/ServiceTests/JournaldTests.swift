import Foundation
import SPDMTestSupport
import Logging
import SPDMTransport
import Testing
@testable import SPDMDaemon
#if canImport(Glibc)
import Glibc
#endif

/// journald: the handler's fields, and the real daemon's entries read back with journalctl.
@Suite("journald logging", .serialized)
struct JournaldTests {
    @Test("fields: MESSAGE, PRIORITY, identifier, code location, SPDM_* metadata")
    func fields() {
        let fields = JournaldLogHandler.fields(
            level: .warning, message: "request refused",
            metadata: ["spdm_device": "gpu0", "spdm_connection": "7", "spdm_session": "0xfffe0001",
                       "spdm_request": "GET_MEASUREMENTS", "spdm_version": "1.2", "spdm_error": "UnexpectedRequest",
                       "peer": "127.0.0.1:5000", "message": "clash", "9lives": "x"],
            file: "SPDMDaemon/SPDMConnectionHandler.swift", function: "handleNormal(_:_:)", line: 88,
            syslogIdentifier: "spdm-fleetd")
        let map = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(fields.first?.name == "MESSAGE")
        #expect(map["MESSAGE"]?.hasPrefix("request refused ") == true)
        #expect(map["MESSAGE"]?.contains("spdm_device=gpu0") == true)
        #expect(map["PRIORITY"] == "4")
        #expect(map["SYSLOG_IDENTIFIER"] == "spdm-fleetd")
        #expect(map["CODE_FILE"] == "SPDMDaemon/SPDMConnectionHandler.swift")
        #expect(map["CODE_LINE"] == "88")
        #expect(map["CODE_FUNC"] == "handleNormal(_:_:)")
        #expect(map["SPDM_DEVICE"] == "gpu0")
        #expect(map["SPDM_CONNECTION"] == "7")
        #expect(map["SPDM_SESSION_ID"] == "0xfffe0001")
        #expect(map["SPDM_REQUEST"] == "GET_MEASUREMENTS")
        #expect(map["SPDM_VERSION"] == "1.2")
        #expect(map["SPDM_ERROR"] == "UnexpectedRequest")
        #expect(map["PEER"] == "127.0.0.1:5000")
        #expect(map["SPDM_META_MESSAGE"] == "clash")  // never overrides MESSAGE
        #expect(map["X9LIVES"] == "x")
        #expect(fields.count == Set(fields.map(\.name)).count)
        #expect(JournaldLogHandler.priority(.trace) == 7 && JournaldLogHandler.priority(.critical) == 2)
    }

    @Test("auto picks the journal only when JOURNAL_STREAM names stderr")
    func autoDetection() {
        var status = stat()
        fstat(STDERR_FILENO, &status)
        let matching = ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]
        #expect(LogDestination.auto.resolved(environment: matching) == .journal)
        #expect(LogDestination.auto.resolved(environment: ["JOURNAL_STREAM": "1:\(status.st_ino &+ 1)"]) == .stderr)
        #expect(LogDestination.auto.resolved(environment: [:]) == .stderr)
        #expect(LogDestination.stderr.resolved(environment: matching) == .stderr)
        #expect(LogDestination.journal.resolved(environment: [:]) == .journal)
    }

    @Test("journalctl -o json: a request's entry carries SPDM_DEVICE, SPDM_CONNECTION, SPDM_REQUEST, SPDM_VERSION")
    func realDaemonEntries() throws {
        let journal = try Journald.ensureRunning()
        defer { journal.stopIfStarted() }
        let scratch = try ScratchDirectory("journal")
        let device = "jrnl" + UUID().uuidString.prefix(8).lowercased()
        let config = try scratch.write(deviceConfig(name: device, listener: "tcp = \"127.0.0.1:0\""), to: "fleet.toml")
        let notify = try NotifySocketListener(path: scratch.path + "/notify.sock")
        var environment = ChildProcess.cleanEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        let daemon = try ChildProcess(Products.path("spdm-fleetd"),
                                      ["--config", config, "--state-dir", scratch.path + "/state",
                                       "--runtime-dir", scratch.path + "/run", "--log-format", "journal", "--log-level", "debug"],
                                      environment: environment)
        let ready = notify.receive(until: { $0.notifyAssignments["READY"] == "1" }, within: Limits.startup)
        try #require(ready.found, "no READY=1: \(daemon.text)")

        // The listening entry names the port (the journal is the only log here).
        let listening = try #require(Journald.entries(["SPDM_DEVICE=\(device)"], until: {
            $0.contains { ($0["MESSAGE"] as? String)?.hasPrefix("listening") == true }
        }).first { ($0["MESSAGE"] as? String)?.hasPrefix("listening") == true }, "no listening entry")
        let address = try #require(listening["ADDRESS"] as? String)
        let port = try #require(address.split(separator: ":").last.flatMap { Int($0) })

        let client = try PlatformSocket(tcpPort: port)
        #expect(client.helloAndVersion(binding: MCTPBinding())?.prefix(2) == [0x10, 0x04])
        // GET_CAPABILITIES (1.0) fixes the version, so its entry carries SPDM_VERSION too.
        client.send(PlatformFrame(command: .normal, transport: .mctp, payload: MCTPBinding().encode(.spdm([0x10, 0xE1, 0, 0]))))
        let capabilities = client.receiveFrame().flatMap { try? MCTPBinding().decode($0.payload) }
        guard case .spdm(let reply)? = capabilities else { Issue.record("no CAPABILITIES"); return }
        #expect(reply.prefix(2) == [0x10, 0x61])

        let entries = try Journald.entries(["SPDM_DEVICE=\(device)", "SPDM_REQUEST=GET_CAPABILITIES"], until: { !$0.isEmpty })
        let entry = try #require(entries.first, "no journal entry for the request")
        #expect(entry["SPDM_DEVICE"] as? String == device)
        #expect(entry["SPDM_REQUEST"] as? String == "GET_CAPABILITIES")
        #expect(entry["SPDM_VERSION"] as? String == "1.0")
        #expect(entry["SPDM_CONNECTION"] as? String != nil)
        #expect(entry["SYSLOG_IDENTIFIER"] as? String == "spdm-fleetd")
        #expect(entry["PRIORITY"] as? String == "7")
        #expect((entry["CODE_FILE"] as? String)?.contains("SPDMConnectionHandler") == true)
        #expect(entry["CODE_LINE"] as? String != nil && entry["CODE_FUNC"] as? String != nil)
        if let json = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) {
            // Shown in the test log: the record the issue asks to quote.
            print("journal entry: \(String(decoding: json, as: UTF8.self))")
        }
        #expect(daemon.stop() == 0)
    }
}

/// systemd-journald for the test: the running one, or one this test starts (and stops).
final class Journald: @unchecked Sendable {
    static let socketPath = "/run/systemd/journal/socket"
    private var started: Process?

    /// A journald that accepts entries; starts /lib/systemd/systemd-journald when none does.
    /// Skips the test (Test.cancel, with the reason) when journald cannot run here.
    static func ensureRunning() throws -> Journald {
        let journald = Journald()
        if accepts() { return journald }
        guard getuid() == 0 else { try Test.cancel("skipped: no journald is running and starting one needs root") }
        let binary = ["/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path = binary else { try Test.cancel("skipped: no journald is running and systemd-journald is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        journald.started = process
        let deadline = Date().addingTimeInterval(Limits.message)
        while Date() < deadline, process.isRunning, !accepts() { Thread.sleep(forTimeInterval: 0.1) }
        guard accepts() else {
            if process.isRunning { process.terminate() }
            try Test.cancel("skipped: systemd-journald could not be started in this environment")
        }
        return journald
    }

    /// Whether something listens on the journal's native socket.
    static func accepts() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in socketPath.utf8.enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    func stopIfStarted() {
        guard let started, started.isRunning else { return }
        started.terminate()
        started.waitUntilExit()
    }

    /// `journalctl -o json` entries matching `matches`, polled until `condition` holds on them.
    static func entries(_ matches: [String], until condition: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(Limits.message)
        var entries: [[String: Any]] = []
        repeat {
            _ = try? runProcess("/usr/bin/journalctl", ["--sync"])
            let result = try runProcess("/usr/bin/journalctl", ["-o", "json", "--no-pager", "--all"] + matches)
            entries = result.output.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            if condition(entries) { return entries }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        return entries
    }
}
