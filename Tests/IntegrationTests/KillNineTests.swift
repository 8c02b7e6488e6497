import Foundation
import SPDMCrypto
import SPDMDevice
import SPDMTestSupport
import Testing

/// kill -9 at random instants while a device acknowledges changes in a loop: after each restart the
/// device serves every change acknowledged before the kill (or the one change in flight, which it
/// may have persisted without answering), and every file in its state directory parses.
@Suite("kill -9 during acknowledged changes", .serialized)
struct KillNineTests {
    /// The control-API changes driven round robin in one run; SET_CERTIFICATE runs on its own (it
    /// provisions the same slot 0 the control API replaces).
    static func drivers() -> [any AcknowledgedChangeDriver] { [MeasurementChanges(), SlotChanges()] }
    /// Daemons killed per run (about half a second each).
    static let kills = 16

    static func config(_ drivers: [any AcknowledgedChangeDriver], capabilities: [String]? = nil) -> String {
        TestDevice("tcp0", capabilities: capabilities, tables: drivers.flatMap(\.deviceConfig)).toml
            + TestDevice("unix0", listener: "unix = \"unix0.sock\"").toml
    }

    @Test("every acknowledged control-API change is served after each kill -9 and restart; no state file is torn")
    func killAtRandomInstants() throws {
        try Self.run(Self.drivers(), config: Self.config(Self.drivers()))
    }

    @Test("every chain acknowledged by SET_CERTIFICATE_RSP is what DIGESTS and CERTIFICATE serve after each kill -9 and restart")
    func killDuringSetCertificate() throws {
        let drivers: [any AcknowledgedChangeDriver] = [SetCertificateChanges()]
        try Self.run(drivers, config: Self.config(drivers, capabilities: SetCertificateChanges.capabilities))
    }

    static func run(_ initial: [any AcknowledgedChangeDriver], config: String) throws {
        var drivers = initial
        var daemon = try TestDaemon(config: config)
        let directory = daemon.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in drivers.indices { try drivers[index].prepare(daemon) }

        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = SplitMix(seed)
        let ledger = Ledger(served: try Self.served(drivers, daemon))
        var figures = Figures()
        let started = Date()
        var number = 0
        for round in 0..<Self.kills {
            // Changes in a loop on another thread; the kill lands wherever it lands.
            let writer = Writer(drivers: drivers, daemon: daemon, ledger: ledger, first: number)
            writer.start()
            // Three rounds in four kill after the round's first acknowledgement, however slow a
            // loaded machine makes it, so that every run has changes to check; the fourth may kill
            // before anything was acknowledged (during the first write after a restart).
            if round % 4 != 3 { writer.waitForFirstAcknowledgement() }
            Thread.sleep(forTimeInterval: Double(random.next(in: 20...300)) / 1000)
            daemon.crash()
            let written = writer.join()
            number = written.next
            figures.acknowledged += written.acknowledged
            for refusal in written.refusals { Issue.record("round \(round): the device refused a change: \(refusal)") }

            let leftovers = try Self.checkStateFiles(directory, device: "tcp0", allowLeftovers: true)
            figures.leftovers += leftovers
            daemon = try TestDaemon(config: config, directory: directory)
            daemon.ownsDirectory = false
            #expect(try Self.checkStateFiles(directory, device: "tcp0", allowLeftovers: false) == 0)
            let served = try Self.served(drivers, daemon)
            for (key, value) in served.sorted(by: { $0.key < $1.key }) {
                let expected = ledger.allowed(key)
                #expect(expected.contains(value), "round \(round) (seed \(seed)): \(key) serves '\(value)', acknowledged \(expected)")
            }
            figures.unacknowledgedButPersisted += ledger.settle(served)
        }
        #expect(daemon.stop() == 0)
        #expect(figures.acknowledged >= Self.kills * 3 / 4, "too few changes were acknowledged to mean anything: \(figures.acknowledged)")
        print("kill -9 test, \(drivers.map(\.name).joined(separator: " + ")) (seed \(seed)): \(Self.kills) kills, \(figures.acknowledged) acknowledged changes all served after restart, "
              + "\(figures.unacknowledgedButPersisted) in-flight change(s) found persisted, \(figures.leftovers) temporary file(s) "
              + "of interrupted writes removed at restart, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    static func served(_ drivers: [any AcknowledgedChangeDriver], _ daemon: TestDaemon) throws -> [String: String] {
        try drivers.reduce(into: [:]) { served, driver in served.merge(try driver.served(by: daemon)) { _, new in new } }
    }

    /// Every file of the device's state directory parses with the daemon's own readers; returns how
    /// many temporary files of interrupted writes there are (allowed only before a restart).
    static func checkStateFiles(_ directory: String, device: String, allowLeftovers: Bool) throws -> Int {
        let store = DeviceStateStore(stateDirectory: directory + "/state", device: device)
        var leftovers = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted() {
            let path = store.directory + "/" + name
            if name.contains(".tmp-") {
                leftovers += 1
                #expect(allowLeftovers, "\(path) is still there after a restart")
                continue
            }
            switch name {
            case "measurements.json": #expect(throws: Never.self) { _ = try store.storedMeasurements() }
            case "provisioned.json": #expect(throws: Never.self) { _ = try store.storedProvisioned() }
            case let slot where slot.hasSuffix(".override.pem"):
                let id = try #require(UInt8(String(slot.dropFirst("slot".count).prefix(1))))
                #expect(throws: Never.self) { _ = try store.storedSlot(id, model: 1) }
            case let key where key.hasSuffix(".key"):
                #expect(throws: Never.self) { _ = try PrivateKey(pem: try String(contentsOfFile: path, encoding: .utf8)) }
            case let certificate where certificate.hasSuffix(".cert.der"):
                #expect(throws: Never.self) { _ = try Certificate(der: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) }
            case let record where record.hasSuffix(".identity"):
                // An identity record (SPDMDevice/IdentityRecord.swift) is replaced whole by rename like
                // every state file; it is not fsync'd (a lost one only costs a full check of the leaf).
                #expect((try String(contentsOfFile: path, encoding: .utf8)).hasPrefix("spdm-fleetd identity record 1\n"), "\(path)")
            default:
                Issue.record("unexpected file in the state directory: \(path)")
            }
        }
        return leftovers
    }

    struct Figures {
        var acknowledged = 0
        var unacknowledgedButPersisted = 0
        var leftovers = 0
    }
}

/// What each key may serve after a kill: the value last acknowledged, or the value of the change
/// that was in flight (asked, not answered) when the daemon died.
final class Ledger: @unchecked Sendable {
    private let lock = NSLock()
    private var acknowledged: [String: String]
    private var inFlight: [String: String] = [:]

    init(served: [String: String]) { acknowledged = served }

    func asking(_ change: AcknowledgedChange) { lock.withLock { inFlight[change.key] = change.value } }

    func acknowledge(_ change: AcknowledgedChange) {
        lock.withLock {
            acknowledged[change.key] = change.value
            inFlight[change.key] = nil
        }
    }

    func allowed(_ key: String) -> [String] {
        lock.withLock { [acknowledged[key], inFlight[key]].compactMap { $0 } }
    }

    /// After the check: what is served is what the next round builds on. Returns how many keys
    /// serve a change that was in flight (persisted, the answer lost with the daemon).
    func settle(_ served: [String: String]) -> Int {
        lock.withLock {
            let persistedInFlight = served.filter { inFlight[$0.key] == $0.value && acknowledged[$0.key] != $0.value }.count
            acknowledged.merge(served) { _, new in new }
            inFlight = [:]
            return persistedInFlight
        }
    }
}

/// Asks for changes one after another, round robin over the drivers, until the daemon stops answering.
final class Writer: @unchecked Sendable {
    struct Result {
        var next: Int
        var acknowledged: Int
        var refusals: [String]
    }

    private let drivers: [any AcknowledgedChangeDriver]
    private let daemon: TestDaemon
    private let ledger: Ledger
    private var number: Int
    private var result: Result
    private let done = DispatchSemaphore(value: 0)
    /// Signalled once: at the first acknowledgement, or when the loop ends without one.
    private let firstAcknowledgement = DispatchSemaphore(value: 0)
    private var signalledFirst = false

    /// Waits (at most a minute) until this writer's first change is acknowledged or it stopped.
    func waitForFirstAcknowledgement() {
        _ = firstAcknowledgement.wait(timeout: .now() + 60)
    }

    private func signalFirst() {
        guard !signalledFirst else { return }
        signalledFirst = true
        firstAcknowledgement.signal()
    }

    init(drivers: [any AcknowledgedChangeDriver], daemon: TestDaemon, ledger: Ledger, first: Int) {
        self.drivers = drivers
        self.daemon = daemon
        self.ledger = ledger
        self.number = first
        self.result = Result(next: first, acknowledged: 0, refusals: [])
    }

    func start() {
        Thread { [self] in
            while true {
                let driver = drivers[number % drivers.count]
                let change = driver.change(number)
                ledger.asking(change)
                number += 1
                switch driver.apply(change, to: daemon) {
                case .acknowledged:
                    ledger.acknowledge(change)
                    result.acknowledged += 1
                    signalFirst()
                    continue
                case .refused(let why):
                    result.refusals.append("\(driver.name) \(change.key) = \(change.value): \(why)")
                    continue
                case .noAnswer:
                    break
                }
                break
            }
            result.next = number
            signalFirst()
            done.signal()
        }.start()
    }

    /// Waits for the loop to end (the daemon was killed) and returns what it did.
    func join() -> Result {
        done.wait()
        return result
    }
}

/// SplitMix64: the kill instants, reproducible from the seed the test prints.
struct SplitMix {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return range.lowerBound + Int(z % UInt64(range.count))
    }
}
