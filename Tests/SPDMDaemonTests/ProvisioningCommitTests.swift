import Foundation
import Logging
import SPDMDevice
import SPDMResponder
import SPDMTestFixtures
import SPDMTransport
import SPDMWire
import Testing
@testable import SPDMDaemon

/// The daemon's provisioning commit without sockets: a device runtime from a config, connection
/// handlers not attached to any channel, their commit closures called as the responder's commit
/// point calls them, and requests handled as the daemon handles them (refresh, then the responder).
@Suite("Provisioning commit", .serialized)
struct ProvisioningCommitTests {
    final class Scratch {
        let path = NSTemporaryDirectory() + "spdm-fleet-commit-" + UUID().uuidString
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    let scratch = Scratch()
    let logs = LogRecorder()

    var stateDirectory: String { scratch.path + "/state" }

    func runtime() throws -> DeviceRuntime {
        let config = try ConfigLoader(stateDirectoryOverride: stateDirectory, runtimeDirectoryOverride: scratch.path + "/run").load(text: """
            [[device]]
            name = "gpu0"
            tcp = "127.0.0.1:0"
            [[device.slot]]
            generate = { algorithm = "ECDSA_P256" }
            [[device.measurement]]
            index = 1
            type = "mutable_firmware"
            value = "fw"
            """, source: "test.toml", baseDirectory: scratch.path)
        let definition = try #require(config.devices.first)
        return DeviceRuntime(definition: definition, counters: FleetStatistics().counters(for: "gpu0"), stateDirectory: stateDirectory,
                             logger: logs.logger)
    }

    func connection(_ runtime: DeviceRuntime) -> SPDMConnectionHandler {
        SPDMConnectionHandler(runtime: runtime, binding: MCTPBinding(), logger: logs.logger, statistics: FleetStatistics())
    }

    static let getVersion: [UInt8] = [0x10, 0x84, 0x00, 0x00]

    /// `connection`'s provisioned state with `change` applied and the revision bumped, as a handler leaves it.
    func changed(_ connection: SPDMConnectionHandler, _ change: (inout ProvisionedState) -> Void) -> ProvisionedState {
        var state = connection.responder.device.provisioned
        change(&state)
        state.revision += 1
        return state
    }

    func busy(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let error as ResponderError {
            return error.code == .busy
        } catch {
            return false
        }
    }

    @Test("one connection commits: provisioned.json holds it, the other connection serves it from its next request, new connections and a restart start from it")
    func commitReachesEveryConnection() throws {
        let runtime = try runtime()
        let first = connection(runtime), second = connection(runtime)
        let installed = changed(first) { $0.installedChains[1] = ProvisionedSamples.chain(TestChains.p256, keyPair: 1) }
        try first.provisioning.commit(installed)

        #expect(try runtime.store.storedProvisioned() == installed)
        #expect(runtime.provisioned == installed)
        #expect(second.responder.device.provisioned == ProvisionedState())
        _ = second.respondInTheClear(Self.getVersion)
        #expect(second.responder.device.provisioned == installed)
        #expect(connection(runtime).responder.device.provisioned == installed)

        let log = try #require(logs.entries.first { $0.message.hasPrefix("provisioning committed") })
        #expect(log.level == .info && log.message.contains("slot 1: chain installed (key pair 1, model 1"), "\(log.message)")
        #expect(log.metadata["file"] == "\(runtime.store.provisionedPath)" && log.metadata["revision"] == "1")

        let restarted = try self.runtime()
        #expect(restarted.provisioned == installed && restarted.device.provisioned == installed)
    }

    @Test("two connections commit on the same state: the second is answered Busy, takes the first's change, and its retry keeps both")
    func concurrentCommitIsBusy() throws {
        let runtime = try runtime()
        let first = connection(runtime), second = connection(runtime)
        let erasedOne = changed(first) { $0.erasedSlots.insert(1) }
        let erasedTwo = changed(second) { $0.erasedSlots.insert(2) }
        try first.provisioning.commit(erasedOne)
        #expect(busy { try second.provisioning.commit(erasedTwo) })
        #expect(try runtime.store.storedProvisioned() == erasedOne)
        #expect(logs.entries.contains { $0.level == .notice && $0.message.contains("refused with Busy") })

        // The requester retries: the next request first takes the device's state.
        _ = second.respondInTheClear(Self.getVersion)
        let retried = changed(second) { $0.erasedSlots.insert(2) }
        try second.provisioning.commit(retried)
        #expect(try runtime.store.storedProvisioned().erasedSlots == [1, 2])
        // And the first connection, now behind, is refused in turn.
        #expect(busy { try first.provisioning.commit(changed(first) { $0.erasedSlots.insert(3) }) })
    }

    @Test("eight connections commit 20 changes each at once, retrying on Busy: all 160 are in the state and in the file")
    func manyWritersLoseNothing() throws {
        let runtime = try runtime()
        let writers = (0..<8).map { _ in connection(runtime).provisioning }
        let busyAnswers = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: writers.count) { writer in
            for step in 0..<20 {
                let id = UInt8(writer * 20 + step)
                while true {
                    // What a connection does between attempts: take the device's state, handle the request on it.
                    var state = runtime.provisioned
                    writers[writer].adopted(state.revision)
                    state.keyPairs[id] = KeyPairSettings(keyUsage: UInt16(id), asymAlgorithm: 0x10, associatedSlotMask: 1)
                    state.revision += 1
                    do {
                        try writers[writer].commit(state)
                        break
                    } catch {
                        busyAnswers.increment()
                    }
                }
            }
        }
        #expect(runtime.provisioned.keyPairs.count == 160)
        #expect(runtime.provisioned.revision == 160)
        #expect(try runtime.store.storedProvisioned() == runtime.provisioned)
        print("160 commits from 8 writers at once: \(busyAnswers.value) answered Busy and retried")
    }

    @Test("a commit that cannot be persisted changes nothing, is an error naming the file, and the requester gets an ERROR")
    func persistFailure() throws {
        let runtime = try runtime()
        let first = connection(runtime), second = connection(runtime)
        // A directory where provisioned.json goes: the rename fails.
        try FileManager.default.createDirectory(atPath: runtime.store.provisionedPath + "/blocked", withIntermediateDirectories: true)
        let state = changed(first) { $0.erasedSlots.insert(0) }
        #expect(throws: StateError.self) { try first.provisioning.commit(state) }
        #expect(runtime.provisioned == ProvisionedState())
        _ = second.respondInTheClear(Self.getVersion)
        #expect(second.responder.device.provisioned == ProvisionedState())
        let log = try #require(logs.entries.first { $0.level == .error })
        #expect(log.message.contains("NOT persisted") && log.metadata["file"] == "\(runtime.store.provisionedPath)", "\(log)")
    }

    @Test("device reset: pending changes apply, are persisted and reach open connections; factory reset forgets, revisions keep growing")
    func resets() async throws {
        let runtime = try runtime()
        let first = connection(runtime), second = connection(runtime)
        let pending = changed(first) { $0.pendingReset.installedChains[2] = ProvisionedSamples.chain(TestChains.p256) }
        try first.provisioning.commit(pending)

        let reset = try await runtime.resetDevice()
        #expect(reset.applied == ["slot 2: chain installed (key pair 0, model 1, \(TestChains.p256.certificatesDER.count) bytes)"])
        #expect(reset.closedConnections == 0)
        #expect(runtime.provisioned == pending.applyingReset())
        #expect(try runtime.store.storedProvisioned() == pending.applyingReset())
        _ = second.respondInTheClear(Self.getVersion)
        #expect(second.responder.device.provisioned.installedChains[2] != nil)
        // Nothing pending any more: a second reset applies nothing.
        #expect(try await runtime.resetDevice().applied.isEmpty)

        try runtime.store.saveMeasurement(index: 1, value: [7])
        let removed = try runtime.forgetState()
        #expect(removed == [runtime.store.measurementsPath, runtime.store.provisionedPath])
        #expect(runtime.provisioned.isEmpty && runtime.provisioned.revision == 3)
        _ = second.respondInTheClear(Self.getVersion)
        #expect(second.responder.device.provisioned.isEmpty)
        // A request handled before the factory reset cannot commit onto it.
        #expect(busy { try first.provisioning.commit(changed(first) { $0.erasedSlots.insert(5) }) })
    }

    @Test("an unreadable provisioned.json at startup is an error naming the file; the device starts from its config")
    func unreadableAtStartup() throws {
        let store = DeviceStateStore(stateDirectory: stateDirectory, device: "gpu0")
        try StateDirectory.ensureDirectory(store.directory)
        FileManager.default.createFile(atPath: store.provisionedPath, contents: Data("{\"format\": 7".utf8))
        let runtime = try runtime()
        #expect(runtime.provisioned == ProvisionedState())
        let log = try #require(logs.entries.first { $0.level == .error })
        #expect(log.message.hasPrefix("unreadable state file: \(store.provisionedPath): ") && log.message.contains("set aside as"), "\(log.message)")
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Collects what the code under test logs.
final class LogRecorder: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []

    var entries: [Entry] { lock.withLock { recorded } }

    var logger: Logger { Logger(label: "test") { _ in Handler(recorder: self) } }

    fileprivate func append(_ entry: Entry) { lock.withLock { recorded.append(entry) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            recorder.append(Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
