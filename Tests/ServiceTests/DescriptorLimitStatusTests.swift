import Foundation
import SPDMTestSupport
import Testing

/// The connection budget as the service manager sees it: a config that does not fit the
/// open-file limit is reported in STATUS= (and in the log), from READY=1 on.
@Suite("descriptor-limit warning in STATUS=", .serialized)
struct DescriptorLimitStatusTests {
    @Test("under RLIMIT_NOFILE 200, a device with max_connections = 500 is warned about in the log and in STATUS=")
    func warningInStatus() throws {
        let scratch = try ScratchDirectory("nofile")
        let notify = try NotifySocketListener(path: scratch.path + "/notify.sock")
        let device = TestDevice("wide", keys: ["max_connections = 500"]).toml
        let config = try scratch.write(device, to: "fleet.toml")
        var environment = ChildProcess.cleanEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        let daemon = try ChildProcess("/usr/bin/prlimit",
                                      ["--nofile=200:200", Products.path("spdm-fleetd"), "--config", config,
                                       "--state-dir", scratch.path + "/state", "--runtime-dir", scratch.path + "/run",
                                       "--log-format", "stderr"],
                                      environment: environment)
        let ready = notify.receive(until: { $0.notifyAssignments["READY"] == "1" }, within: Limits.startup)
        #expect(ready.found, "no READY=1: \(ready.messages) \(daemon.text)")
        let status = try #require(ready.messages.last?.notifyAssignments["STATUS"])
        #expect(status.hasPrefix("1 devices, 0 connections"), "\(status)")
        #expect(status.contains("warning: 1 listeners + 500 connections"), "\(status)")
        #expect(status.contains("exceed the open-file limit 200"), "\(status)")
        #expect(daemon.waitForOutput { $0.contains("warning") && $0.contains("exceed the open-file limit 200") }, "\(daemon.text)")
        #expect(daemon.stop() == 0, "\(daemon.text)")
    }
}
