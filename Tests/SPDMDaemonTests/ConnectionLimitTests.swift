import NIOCore
import Testing
@testable import SPDMDaemon

/// The arithmetic of the connection caps, without sockets.
@Suite("Connection budget and admission")
struct ConnectionLimitUnitTests {
    @Test("the cap is the open-file limit less listeners and the reserve; [daemon] max_connections only lowers it")
    func cap() {
        let plain = ConnectionBudget(openFileLimit: 20_000, listeners: 100, wanted: 100, configuredCap: nil)
        #expect(plain.reservedDescriptors == 64 + 200)
        #expect(plain.cap == 20_000 - 100 - 264)
        #expect(plain.warning == nil)
        let lowered = ConnectionBudget(openFileLimit: 20_000, listeners: 100, wanted: 100, configuredCap: 500)
        #expect(lowered.cap == 500)
        #expect(lowered.warning == nil)
        let tooHigh = ConnectionBudget(openFileLimit: 1_000, listeners: 10, wanted: 10, configuredCap: 5_000)
        #expect(tooHigh.cap == 1_000 - 10 - 74)
        #expect(tooHigh.warning?.contains("[daemon] max_connections = 5000 does not fit the open-file limit 1000") == true)
    }

    @Test("10,000 devices with one connection each against 20,000 descriptors: warned, and the cap says how many")
    func reportedFleet() throws {
        let budget = ConnectionBudget(openFileLimit: 20_000, listeners: 10_000, wanted: 10_000, configuredCap: nil)
        #expect(budget.cap == 10_000 - 264)
        let warning = try #require(budget.warning)
        #expect(warning.contains("10000 listeners + 10000 connections"), "\(warning)")
        #expect(warning.hasSuffix("at most \(budget.cap) connections at once, more are closed at accept"), "\(warning)")
    }

    @Test("listeners alone over the limit: a cap of 0 and a warning that says so")
    func listenersOverLimit() throws {
        let budget = ConnectionBudget(openFileLimit: 100, listeners: 90, wanted: 90, configuredCap: nil)
        #expect(budget.cap == 0)
        #expect(try #require(budget.warning).contains("no connection can be served"))
    }

    @Test("admission: the device cap first, then the daemon cap; refusals are counted by reason; release frees both")
    func admission() {
        let statistics = FleetStatistics()
        let fleet = FleetConnectionLimiter(cap: 3, frameTimeout: 30)
        let small = DeviceConnectionLimiter(device: "small", maxConnections: 2, fleet: fleet, counters: statistics.counters(for: "small"))
        let big = DeviceConnectionLimiter(device: "big", maxConnections: nil, fleet: fleet, counters: statistics.counters(for: "big"))

        #expect(small.admit() == .admitted)
        #expect(small.admit() == .admitted)
        #expect(small.admit() == .refused(.deviceLimit, cap: 2))
        #expect(big.admit() == .admitted)
        #expect(big.admit() == .refused(.daemonLimit, cap: 3))
        #expect(fleet.openConnections == 3)
        #expect(big.openConnections == 1)

        small.release()
        #expect(big.admit() == .admitted)
        #expect(fleet.openConnections == 3)

        let smallRefusals = statistics.counters(for: "small").snapshot.refusedConnections
        let bigRefusals = statistics.counters(for: "big").snapshot.refusedConnections
        #expect(smallRefusals[ConnectionRefusal.deviceLimit.rawValue] == 1)
        #expect(bigRefusals[ConnectionRefusal.daemonLimit.rawValue] == 1)
        #expect(small.explain(.deviceLimit, cap: 2) == "connection refused: device 'small' already holds its max_connections = 2")
    }

    @Test("reload: a new cap applies to the next admission, open connections stay")
    func reconfigure() {
        let statistics = FleetStatistics()
        let fleet = FleetConnectionLimiter(cap: 1, frameTimeout: 30)
        let device = DeviceConnectionLimiter(device: "d", maxConnections: nil, fleet: fleet, counters: statistics.counters(for: "d"))
        #expect(device.admit() == .admitted)
        #expect(device.admit() == .refused(.daemonLimit, cap: 1))
        fleet.configure(cap: 2, frameTimeout: 5)
        #expect(device.admit() == .admitted)
        #expect(fleet.frameTimeout == 5)
    }

    @Test("refusal lines: at most 10 per device and second, the 10th says the rest are only counted")
    func logThrottle() {
        var throttle = RefusalLogThrottle()
        let start = NIODeadline.uptimeNanoseconds(5_000_000_000)
        let decisions = (0..<12).map { throttle.decide(now: start + .milliseconds(Int64($0))) }
        #expect(decisions == Array(repeating: .log, count: 9) + [.logLast, .mute, .mute])
        #expect(throttle.decide(now: start + .milliseconds(1_000)) == .log)
    }
}
