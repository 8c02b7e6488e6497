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
/// what the control API changed and persisted), its open connections and its counters.
///
/// New connections take `device` at accept time. Existing connections call `refresh` before each
/// request, which costs one uncontended lock and hands them the measurement table only when it
/// changed, so "set a measurement; a later MEASUREMENTS shows the new value" holds on open
/// connections too. A replaced slot (chain and key) applies to new connections only: an open
/// connection keeps the identity it negotiated with.
public final class DeviceRuntime: Sendable {
    public let definition: DeviceDefinition
    public let counters: DeviceCounters
    let store: DeviceStateStore
    /// The live fault rules: the config's, until the control API replaces them.
    let faults: DeviceFaults
    /// The device's packet capture (Capture/), off unless the config or the control API starts it.
    let capture: DeviceCapture

    public var name: String { definition.name }

    private struct Current: Sendable {
        var device: ResponderDevice
        /// Bumped whenever the measurement table changes.
        var generation: UInt64
    }

    private let current: NIOLockedValueBox<Current>
    /// Serializes the control API's read-modify-write of the persisted state.
    private let mutation = NIOLock()
    private let connections = NIOLockedValueBox([UInt64: ConnectionRecord]())

    /// Builds the runtime from `definition` and applies the device's persisted control-API state
    /// (a stored value that no longer fits the config is skipped with a warning).
    init(definition: DeviceDefinition, counters: DeviceCounters, stateDirectory: String, logger: Logger) {
        self.definition = definition
        self.counters = counters
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
        store.apply(to: &device, logger: logger)
        current = NIOLockedValueBox(Current(device: device, generation: 0))
    }

    /// The device as new connections see it.
    public var device: ResponderDevice { current.withLockedValue { $0.device } }

    /// The measurement table when it changed since `generation` (which is then advanced), else nil.
    func refresh(_ generation: inout UInt64) -> MeasurementTable? {
        current.withLockedValue { state in
            guard state.generation != generation else { return nil }
            generation = state.generation
            return state.device.measurements
        }
    }

    /// The generation new connections start from (paired with `device`).
    func snapshot() -> (device: ResponderDevice, generation: UInt64) {
        current.withLockedValue { ($0.device, $0.generation) }
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

    /// Replaces (or provisions) slot `slot.id`, persisted before it applies.
    func setSlot(_ slot: CertificateSlot, chainPEM: String, keyPEM: String) throws {
        try mutation.withLock {
            let device = self.device
            guard device.asymPreference.contains(where: { slot.privateKey.matches($0) }) else {
                throw ControlError.badRequest("the key (\(slot.privateKey.keyType)) signs none of device '\(name)''s algorithms: "
                                              + device.asymPreference.map(\.rawValue).joined(separator: ", "))
            }
            try store.saveSlot(id: slot.id, chainPEM: chainPEM, keyPEM: keyPEM)
            current.withLockedValue { state in
                state.device.slots.removeAll { $0.id == slot.id }
                state.device.slots.append(slot)
                state.device.slots.sort { $0.id < $1.id }
                state.device.supportedSlotMask |= 1 << slot.id
            }
        }
    }

    /// Deletes the persisted control-API state and restores the config's values (fault rules included).
    func reset() throws {
        try mutation.withLock {
            try store.reset()
            current.withLockedValue {
                $0.device = definition.responder
                $0.generation &+= 1
            }
            faults.replace(definition.faults)
        }
    }

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
