import Foundation
import SPDMTestSupport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SPDMTransport
import Testing
@testable import SPDMDaemon

/// The notify protocol (sd_notify) as a service manager sees it.
@Suite("systemd notify protocol", .serialized)
struct NotifyProtocolTests {
    @Test("the real daemon: READY=1 with STATUS=, WATCHDOG=1, STATUS= updates, RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM, in order")
    func realDaemon() throws {
        let scratch = try ScratchDirectory("notify")
        let notify = try NotifySocketListener(path: scratch.path + "/notify.sock")
        let config = try scratch.write(deviceConfig(name: "note0", listener: "tcp = \"127.0.0.1:0\""), to: "fleet.toml")
        var environment = ChildProcess.cleanEnvironment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["WATCHDOG_USEC"] = "1000000"
        let daemon = try ChildProcess(Products.path("spdm-fleetd"),
                                      ["--config", config, "--state-dir", scratch.path + "/state",
                                       "--runtime-dir", scratch.path + "/run", "--log-format", "stderr"],
                                      environment: environment)

        let ready = notify.receive(until: { $0.notifyAssignments["READY"] == "1" }, within: Limits.startup)
        #expect(ready.found, "no READY=1: \(ready.messages) \(daemon.text)")
        let readyMessage = try #require(ready.messages.last).notifyAssignments
        #expect(readyMessage["STATUS"]?.contains("1 devices") == true, "\(readyMessage)")
        // READY=1 comes after the listeners are bound (the log, read through a pipe, says so too).
        #expect(daemon.waitForOutput { $0.contains(" ready") && $0.contains("listening") }, "\(daemon.text)")

        let watchdog = notify.receive(until: { $0.notifyAssignments["WATCHDOG"] == "1" })
        #expect(watchdog.found, "no WATCHDOG=1: \(watchdog.messages)")

        // One request, then a STATUS= update that counts it.
        let port = try #require(portOf("note0", in: daemon.text), "\(daemon.text)")
        let client = try PlatformSocket(tcpPort: port)
        #expect(client.helloAndVersion(binding: MCTPBinding())?.prefix(2) == [0x10, 0x04])
        let status = notify.receive(until: { $0.notifyAssignments["STATUS"]?.contains("1 requests") == true })
        #expect(status.found, "no STATUS= update counting the request: \(status.messages)")

        // SIGHUP: RELOADING=1, then READY=1 again; an invalid config: READY=1 with the reason in STATUS=.
        kill(daemon.process.processIdentifier, SIGHUP)
        let reloading = notify.receive(until: { $0.notifyAssignments["RELOADING"] == "1" })
        #expect(reloading.found, "no RELOADING=1: \(reloading.messages) \(daemon.text)")
        let reloaded = notify.receive(until: { $0.notifyAssignments["READY"] == "1" })
        #expect(reloaded.found, "no READY=1 after the reload: \(reloaded.messages)")
        _ = try scratch.write("[[device]]\nname = \"note0\"\ntransport = \"carrier-pigeon\"\n", to: "fleet.toml")
        kill(daemon.process.processIdentifier, SIGHUP)
        let refused = notify.receive(until: { $0.notifyAssignments["READY"] == "1" })
        #expect(refused.found && refused.messages.contains { $0.notifyAssignments["RELOADING"] == "1" }, "\(refused.messages)")
        #expect(refused.messages.last?.notifyAssignments["STATUS"]?.contains("last reload failed") == true, "\(refused.messages)")
        #expect(client.helloAndVersion(binding: MCTPBinding())?.prefix(2) == [0x10, 0x04], "the daemon stopped serving")

        daemon.process.terminate()
        let stopping = notify.receive(until: { $0.notifyAssignments["STOPPING"] == "1" })
        #expect(stopping.found, "no STOPPING=1: \(stopping.messages)")
        #expect(daemon.stop() == 0, "\(daemon.text)")

        let all = ready.messages + watchdog.messages + status.messages + reloading.messages + reloaded.messages
            + refused.messages + stopping.messages
        let readyIndex = all.firstIndex { $0.notifyAssignments["READY"] == "1" }
        let watchdogIndex = all.firstIndex { $0.notifyAssignments["WATCHDOG"] == "1" }
        let reloadingIndex = all.firstIndex { $0.notifyAssignments["RELOADING"] == "1" }
        let stoppingIndex = all.firstIndex { $0.notifyAssignments["STOPPING"] == "1" }
        #expect(readyIndex != nil && watchdogIndex != nil && reloadingIndex != nil && stoppingIndex != nil)
        if let readyIndex, let watchdogIndex, let reloadingIndex, let stoppingIndex {
            #expect(readyIndex < watchdogIndex && watchdogIndex < reloadingIndex && reloadingIndex < stoppingIndex, "\(all)")
        }
    }

    @Test("without NOTIFY_SOCKET nothing is sent and the daemon runs as usual")
    func noManager() {
        let sent = NIOLockedValueBox<[String]>([])
        let notifier = SystemdNotifier(logger: Logger(label: "test"), isEnabled: false, watchdogInterval: nil) { message in
            sent.withLockedValue { $0.append(message) }
            return 1
        }
        notifier.ready(status: "1 devices")
        notifier.stopping()
        #expect(sent.withLockedValue { $0 }.isEmpty)
    }

    @Test("a wedged event loop stops the watchdog pings; they resume when it recovers")
    func wedgedLoopStopsWatchdog() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let pings = PingCounter()
        let notifier = SystemdNotifier(logger: Logger(label: "test"), isEnabled: true,
                                       watchdogInterval: .milliseconds(40)) { message in
            if message == "WATCHDOG=1" { pings.increment() }
            return 1
        }
        notifier.startWatchdog(on: group)
        #expect(pings.wait(atLeast: 3), "pings did not start")

        // Wedge one loop; once it is wedged, at most the one ping already half-collected can follow.
        let loops = Array(group.makeIterator())
        let release = DispatchSemaphore(value: 0)
        let wedged = DispatchSemaphore(value: 0)
        loops[1].execute {
            wedged.signal()
            release.wait()
        }
        wedged.wait()
        let atWedge = pings.count
        // The healthy loop keeps running its task many times meanwhile.
        let healthyRuns = NIOLockedValueBox(0)
        let probe = loops[0].scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { _ in
            healthyRuns.withLockedValue { $0 += 1 }
        }
        while healthyRuns.withLockedValue({ $0 }) < 25 { Thread.sleep(forTimeInterval: 0.02) }
        probe.cancel()
        #expect(pings.count - atWedge <= 1, "pings went on while a loop was wedged")

        release.signal()
        let afterRelease = pings.count
        #expect(pings.wait(atLeast: afterRelease + 2), "pings did not resume")
        notifier.stopping()
    }

    @Test("reloading() and reloaded(status:) bracket a reload; stopping() ends the status updates")
    func reloadMessages() {
        let sent = NIOLockedValueBox<[String]>([])
        let notifier = SystemdNotifier(logger: Logger(label: "test"), isEnabled: true, watchdogInterval: nil) { message in
            sent.withLockedValue { $0.append(message) }
            return 1
        }
        notifier.ready(status: "1 devices")
        notifier.status("1 devices")  // unchanged: not sent again
        notifier.reloading()
        notifier.reloaded(status: "2 devices")
        notifier.reloading()
        notifier.reloadFailed("bad.toml: device 'x': key 'transport': unknown value", status: "2 devices")
        notifier.status("3 devices")  // the refusal stays visible in STATUS= until a reload succeeds
        notifier.stopping()
        notifier.status("after stop")  // not sent
        let messages = sent.withLockedValue { $0 }.map(\.notifyAssignments)
        #expect(messages.count == 7, "\(messages)")
        guard messages.count == 7 else { return }
        #expect(messages[0]["READY"] == "1")
        #expect(messages[1]["RELOADING"] == "1" && UInt64(messages[1]["MONOTONIC_USEC"] ?? "") != nil)
        #expect(messages[2]["READY"] == "1" && messages[2]["STATUS"] == "2 devices")
        #expect(messages[3]["RELOADING"] == "1")
        #expect(messages[4]["READY"] == "1" && messages[4]["STATUS"]?.contains("last reload failed: bad.toml") == true)
        #expect(messages[5]["STATUS"]?.hasPrefix("3 devices; last reload failed") == true)
        #expect(messages[6]["STOPPING"] == "1")
    }

    private func portOf(_ device: String, in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("listening") && line.contains("spdm_device=\(device)") {
            if let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=tcp:") }),
               let port = address.split(separator: ":").last.flatMap({ Int($0) }) {
                return port
            }
        }
        return nil
    }
}

/// Counts pings and waits for a count without any wall-clock assertion (the limit is generous).
final class PingCounter: @unchecked Sendable {
    private let condition = NSCondition()
    private var value = 0

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return value
    }

    func increment() {
        condition.lock()
        value += 1
        condition.broadcast()
        condition.unlock()
    }

    func wait(atLeast target: Int, limit: TimeInterval = Limits.message) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        condition.lock()
        defer { condition.unlock() }
        while value < target {
            if !condition.wait(until: deadline) { return value >= target }
        }
        return true
    }
}
