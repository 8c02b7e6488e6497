import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SPDMCore
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire

/// One running device: its config definition, the device as it answers now (config values plus
/// what the control API changed and what SPDM provisioning requests acknowledged, all persisted in
/// its `DeviceStateStore`), its open connections and its counters.
///
/// New connections take `device` at accept time. Existing connections call `refresh` before each
/// request, which costs one uncontended lock and hands them the measurement table and the
/// provisioned state only when either changed, so "set a measurement; a later MEASUREMENTS shows
/// the new value" and "SET_CERTIFICATE on one connection; GET_DIGESTS on another serves the new
/// chain" hold on open connections too. A slot replaced through the control API (chain and key)
/// applies to new connections only: an open connection keeps the identity it negotiated with.
public final class DeviceRuntime: Sendable {
    public let definition: DeviceDefinition
    public let counters: DeviceCounters
    let store: DeviceStateStore
    /// The live fault rules: the config's, until the control API replaces them.
    let faults: DeviceFaults
    /// The device's packet capture (Capture/), off unless the config or the control API starts it.
    let capture: DeviceCapture
    /// The Negotiated States kept for requesters (CACHE_CAP; NegotiatedStateCache.swift).
    let negotiatedStates = NegotiatedStateCache()
    private let logger: Logger

    public var name: String { definition.name }

    private struct Current: Sendable {
        var device: ResponderDevice
        /// Bumped whenever the measurement table or the provisioned state changes.
        var generation: UInt64
        /// How often the control API replaced each slot: open connections raise CertificateChanged
        /// for a slot whose count moved (they keep serving the chain they negotiated with).
        var slotReplacements: [UInt8: UInt64] = [:]
    }

    private let current: NIOLockedValueBox<Current>
    /// Serializes every read-modify-write of the persisted state: the control API's changes,
    /// resets, and the provisioning commits of the device's connections.
    private let mutation = NIOLock()
    private let connections = NIOLockedValueBox([UInt64: ConnectionRecord]())

    /// Builds the runtime from `definition` and applies the device's persisted state (a stored
    /// value that no longer fits the config is skipped with a warning; an unreadable file is an
    /// error naming it). `lastGoodProvisioned`: the provisioned state the device held before a
    /// reload, kept if provisioned.json turns out unreadable.
    init(definition: DeviceDefinition, counters: DeviceCounters, stateDirectory: String, logger: Logger,
         lastGoodProvisioned: ProvisionedState? = nil) {
        self.definition = definition
        self.counters = counters
        self.logger = logger
        self.store = DeviceStateStore(stateDirectory: stateDirectory, device: definition.name)
        self.faults = DeviceFaults(device: definition.name, rules: definition.faults)
        self.capture = DeviceCapture(transport: definition.transport)
        if let path = definition.capture {
            do {
                try capture.start(path: path)
                logger.info("capturing the device's frames", metadata: ["spdm_device": "\(definition.name)", "file": "\(path)"])
            } catch {
                logger.error("capture = \"\(path)\" not started: \(error)", metadata: ["spdm_device": "\(definition.name)"])
            }
        }
        var device = definition.responder
        let report = store.restore(onto: &device, lastGood: lastGoodProvisioned)
        Self.log(report, logger)
        current = NIOLockedValueBox(Current(device: device, generation: 0))
    }

    private static func log(_ report: DeviceStateStore.RestoreReport, _ logger: Logger) {
        for path in report.removedLeftovers {
            logger.notice("removed the temporary file of a write a crash interrupted", metadata: ["file": "\(path)"])
        }
        for message in report.unreadable {
            logger.error("unreadable state file: \(message)")
        }
        for message in report.skipped {
            logger.warning("stored state not applied: \(message)")
        }
        if !report.applied.isEmpty {
            logger.info("persisted state restored: \(report.applied.joined(separator: ", "))")
        }
    }

    /// The device as new connections see it.
    public var device: ResponderDevice { current.withLockedValue { $0.device } }

    /// What an open connection takes over before its next request.
    struct Update {
        var measurements: MeasurementTable
        var provisioned: ProvisionedState
        var slotReplacements: [UInt8: UInt64]
    }

    /// The measurement table and provisioned state when either changed since `generation` (which
    /// is then advanced), else nil.
    func refresh(_ generation: inout UInt64) -> Update? {
        current.withLockedValue { state in
            guard state.generation != generation else { return nil }
            generation = state.generation
            return Update(measurements: state.device.measurements, provisioned: state.device.provisioned,
                          slotReplacements: state.slotReplacements)
        }
    }

    /// The control API's slot replacement counts (a new connection starts from them).
    var slotReplacements: [UInt8: UInt64] { current.withLockedValue { $0.slotReplacements } }

    /// The generation new connections start from (paired with `device`).
    func snapshot() -> (device: ResponderDevice, generation: UInt64) {
        current.withLockedValue { ($0.device, $0.generation) }
    }

    // MARK: Provisioning commits (SPDM requests of the device's connections)

    /// Why a provisioning commit was refused.
    enum CommitError: Error, CustomStringConvertible {
        /// Another connection (or a reset) changed the state since the one the request was handled
        /// on: the change was validated against a state that is gone.
        case stale(basedOn: UInt64, current: UInt64)
        /// provisioned.json could not be written: nothing changed.
        case notPersisted(any Error)

        var description: String {
            switch self {
            case let .stale(basedOn, current):
                return "the provisioned state moved from revision \(basedOn) to \(current) while the request was handled"
            case .notPersisted(let error): return "\(error)"
            }
        }
    }

    /// Commits what a connection's request acknowledged: `state` was computed from revision
    /// `basedOn`, which must still be the device's (compare-and-swap under the mutation lock; a
    /// stale base is refused, never merged, so no concurrent change is lost or half-applied).
    /// Then provisioned.json is written (atomically) and only then the state published to every
    /// connection of the device.
    func commitProvisioned(_ state: ProvisionedState, basedOn revision: UInt64) throws(CommitError) {
        let result: Result<ProvisionedState, CommitError> = mutation.withLock {
            let previous = current.withLockedValue { $0.device.provisioned }
            guard previous.revision == revision else {
                return .failure(.stale(basedOn: revision, current: previous.revision))
            }
            do {
                try store.saveProvisioned(state)
            } catch {
                return .failure(.notPersisted(error))
            }
            publish(state)
            return .success(previous)
        }
        switch result {
        case .success(let previous):
            let changes = state.changes(from: previous)
            logger.info("provisioning committed: \(changes.isEmpty ? "no visible change" : changes.joined(separator: "; "))",
                        metadata: ["file": "\(store.provisionedPath)", "revision": "\(state.revision)"])
        case .failure(let error):
            if case .notPersisted = error {
                logger.error("provisioning NOT persisted, answered with an ERROR: \(error)",
                             metadata: ["file": "\(store.provisionedPath)", "revision": "\(state.revision)"])
            } else {
                logger.notice("provisioning commit refused with Busy: \(error)", metadata: ["revision": "\(state.revision)"])
            }
            throw error
        }
    }

    /// Makes `state` the device's provisioned state for new and open connections (mutation lock held).
    private func publish(_ state: ProvisionedState) {
        current.withLockedValue {
            $0.device.provisioned = state
            $0.generation &+= 1
        }
    }

    // MARK: Control-API changes (persisted first, then applied)

    /// Sets measurement `index` to `value`, persisted before it applies.
    func setMeasurement(index: UInt8, value: [UInt8]) throws {
        try mutation.withLock {
            guard let entry = device.measurements.entry(index) else {
                throw ControlError.notFound("device '\(name)' has no measurement \(index)")
            }
            guard !value.isEmpty else { throw ControlError.badRequest("a measurement value cannot be empty") }
            if entry.type == .deviceMode && value.count != 16 {
                throw ControlError.badRequest("a device_mode value is 16 bytes, got \(value.count)")
            }
            try store.saveMeasurement(index: index, value: value)
            current.withLockedValue {
                _ = $0.device.measurements.set(index: index, value: value)
                $0.generation &+= 1
            }
        }
    }

    /// Replaces (or provisions) slot `slot.id`, persisted (as `pem`) before it applies.
    func setSlot(_ slot: CertificateSlot, pem: String) throws {
        try mutation.withLock {
            let device = self.device
            guard device.hasAlgorithm(for: slot.privateKey) else {
                throw ControlError.badRequest("the key (\(slot.privateKey.keyType)) signs none of device '\(name)''s algorithms: "
                                              + device.asymNames.joined(separator: ", "))
            }
            try store.saveSlot(id: slot.id, pem: pem)
            current.withLockedValue { state in
                state.device.slots.removeAll { $0.id == slot.id }
                state.device.slots.append(slot)
                state.device.slots.sort { $0.id < $1.id }
                state.device.supportedSlotMask |= 1 << slot.id
                state.slotReplacements[slot.id, default: 0] &+= 1
                state.generation &+= 1
            }
        }
    }

    /// Device reset (a power cycle): what waited for a reset applies (`ProvisionedState.applyingReset`),
    /// is persisted and published, then the device's open connections close, as a real device's
    /// links drop. Returns what applied.
    func resetDevice() async throws -> (applied: [String], closedConnections: Int) {
        let applied: [String] = try mutation.withLock {
            let previous = current.withLockedValue { $0.device.provisioned }
            let next = previous.applyingReset()
            guard next != previous else { return [] }
            try store.saveProvisioned(next)
            publish(next)
            // What took effect; the pending entries it emptied go without saying.
            return next.changes(from: previous).filter { !$0.hasPrefix("pending reset: ") }
        }
        let open = openConnections.count
        await closeConnections()
        let summary = applied.isEmpty ? "nothing was waiting for it" : applied.joined(separator: "; ")
        logger.notice("device reset: \(summary); \(open) connection(s) closed", metadata: ["file": "\(store.provisionedPath)"])
        return (applied, open)
    }

    /// Factory reset: deletes the persisted state and restores the config's values (fault rules
    /// included). Open connections stay and see the config's measurements and provisioning on
    /// their next request.
    func forgetState() throws -> [String] {
        try mutation.withLock {
            let removed = try store.forget()
            current.withLockedValue {
                let revision = $0.device.provisioned.revision
                $0.device = definition.responder
                // Revisions only grow, so a request handled on the forgotten state cannot commit.
                $0.device.provisioned = ProvisionedState(revision: revision &+ 1)
                $0.generation &+= 1
            }
            faults.replace(definition.faults)
            return removed
        }
    }

    /// The provisioned state new connections see now.
    var provisioned: ProvisionedState { current.withLockedValue { $0.device.provisioned } }

    // MARK: Connections

    func connectionOpened(id: UInt64, channel: Channel) -> ConnectionRecord {
        let record = ConnectionRecord(id: id, device: name, channel: channel)
        connections.withLockedValue { $0[id] = record }
        counters.connectionOpened()
        return record
    }

    func connectionClosed(_ record: ConnectionRecord) {
        guard connections.withLockedValue({ $0.removeValue(forKey: record.id) }) != nil else { return }
        let sessions = record.state.withLockedValue { state -> Int in
            defer { state.sessions.removeAll() }
            return state.sessions.count
        }
        if sessions > 0 { counters.sessionsChanged(by: -sessions) }
        counters.connectionClosed()
    }

    /// Session `summary` was established on the connection of `record`. The first authentication
    /// of a connection (a session, CHALLENGE_AUTH or signed MEASUREMENTS) ends its handshake timing.
    func sessionStarted(_ record: ConnectionRecord, _ summary: SessionSummary, algorithms: NegotiatedAlgorithms?) {
        let seconds = record.state.withLockedValue { state -> Double? in
            state.sessions.append(OpenSession(summary, algorithms: algorithms))
            return state.completeHandshake()
        }
        counters.sessionsChanged(by: 1)
        if let seconds { counters.handshakeCompleted(seconds: seconds) }
    }

    /// Session `id` of the connection of `record` ended (END_SESSION, a fatal error in it, its
    /// heartbeat timing out, GET_VERSION).
    func sessionEnded(_ record: ConnectionRecord, id: UInt32) {
        let removed = record.state.withLockedValue { state -> Bool in
            guard let position = state.sessions.firstIndex(where: { $0.id == id }) else { return false }
            state.sessions.remove(at: position)
            return true
        }
        if removed { counters.sessionsChanged(by: -1) }
    }

    /// A HEARTBEAT of session `id` was answered.
    func sessionHeartbeat(_ record: ConnectionRecord, id: UInt32) {
        record.state.withLockedValue { state in
            guard let position = state.sessions.firstIndex(where: { $0.id == id }) else { return }
            state.sessions[position].lastHeartbeat = Date()
        }
    }

    /// Counts one handled request (in the clear or inside a session), on the device and on its
    /// connection, and times the handshake: from GET_VERSION (or, without one, from KEY_EXCHANGE or
    /// PSK_EXCHANGE) to the connection's first authentication — CHALLENGE_AUTH, signed MEASUREMENTS,
    /// or an established session (`sessionStarted`).
    func requestHandled(_ record: ConnectionRecord?, code: RequestCode?, error: ErrorCode?, signedMeasurements: Bool,
                        version: SPDMVersion?) {
        counters.requestHandled(code, error: error)
        guard let record else { return }
        let seconds: Double? = record.state.withLockedValue { state in
            state.requests += 1
            if error != nil { state.errors += 1 }
            if let version { state.version = version.description }
            state.lastRequest = code?.description
            guard error == nil else { return nil }
            switch code {
            case .getVersion:
                state.handshakeStart = .now()
                return nil
            case .keyExchange, .pskExchange:
                if state.handshakeStart == nil { state.handshakeStart = .now() }
                return nil
            case .challenge:
                return state.completeHandshake()
            case .getMeasurements where signedMeasurements:
                return state.completeHandshake()
            default:
                return nil
            }
        }
        if let seconds { counters.handshakeCompleted(seconds: seconds) }
    }

    var openConnections: [ConnectionRecord] {
        connections.withLockedValue { Array($0.values) }.sorted { $0.id < $1.id }
    }

    /// Closes every open connection of this device.
    func closeConnections() async {
        for record in openConnections { try? await record.channel.close() }
    }
}

/// One accepted connection, as the control API lists it.
final class ConnectionRecord: Sendable {
    let id: UInt64
    let device: String
    let channel: Channel
    let peer: String
    let local: String
    let opened = Date()

    struct State: Sendable {
        var requests = 0
        var errors = 0
        var version: String?
        var lastRequest: String?
        var handshakeStart: NIODeadline?
        /// Established secure sessions (for GET /v1/sessions).
        var sessions: [OpenSession] = []

        /// The seconds since the handshake began, once; nil when none is being timed.
        mutating func completeHandshake() -> Double? {
            guard let start = handshakeStart else { return nil }
            handshakeStart = nil
            return Double((NIODeadline.now() - start).nanoseconds) / 1e9
        }
    }

    let state = NIOLockedValueBox(State())

    init(id: UInt64, device: String, channel: Channel) {
        self.id = id
        self.device = device
        self.channel = channel
        self.peer = Self.describe(channel.remoteAddress)
        self.local = Self.describe(channel.localAddress)
    }

    private static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "?" }
        switch address {
        case .unixDomainSocket: return address.pathname.map { "unix:" + $0 } ?? "unix"
        default: return "tcp:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        }
    }
}
