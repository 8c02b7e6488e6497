import Foundation

// The JSON documents of the control API (ControlRoute), shared by spdm-fleetd and spdmctl. Keys go
// on the wire in snake_case (ControlJSON).

/// GET /v1/devices: one row per device.
public struct DeviceSummary: Codable, Sendable, Hashable {
    public var name: String
    public var transport: String
    public var listeners: [String]
    public var openConnections: Int
    public var totalConnections: Int
    public var sessions: Int
    public var requests: Int
    public var errors: Int

    public init(name: String, transport: String, listeners: [String], openConnections: Int, totalConnections: Int,
                sessions: Int, requests: Int, errors: Int) {
        self.name = name
        self.transport = transport
        self.listeners = listeners
        self.openConnections = openConnections
        self.totalConnections = totalConnections
        self.sessions = sessions
        self.requests = requests
        self.errors = errors
    }
}

/// GET /v1/devices/{name}, and the answer to every change of a device.
public struct DeviceDetail: Codable, Sendable, Hashable {
    public var summary: DeviceSummary
    public var versions: [String]
    public var capabilities: [String]
    public var algorithms: Algorithms
    public var slots: [Slot]
    public var measurements: [Measurement]
    public var fingerprint: String

    public struct Algorithms: Codable, Sendable, Hashable {
        public var hash: [String]
        public var asym: [String]
        public var measurementHash: [String]
        public var dhe: [String]
        public var aead: [String]
        /// SPDM 1.4 KEMs (ML_KEM_768, ...); the ML-DSA algorithms are in `asym`, after the classic ones.
        public var kem: [String]
        /// Whether the post-quantum algorithms win when a requester offers both kinds.
        public var pqcFirst: Bool

        public init(hash: [String], asym: [String], measurementHash: [String], dhe: [String], aead: [String],
                    kem: [String] = [], pqcFirst: Bool = false) {
            self.hash = hash
            self.asym = asym
            self.measurementHash = measurementHash
            self.dhe = dhe
            self.aead = aead
            self.kem = kem
            self.pqcFirst = pqcFirst
        }
    }

    public struct Slot: Codable, Sendable, Hashable {
        public var id: UInt8
        public var certificateModel: String
        public var keyType: String
        public var certificates: [CertificateName]
        /// Replaced through the control API (and persisted) rather than from the config.
        public var modified: Bool

        public init(id: UInt8, certificateModel: String, keyType: String, certificates: [CertificateName], modified: Bool) {
            self.id = id
            self.certificateModel = certificateModel
            self.keyType = keyType
            self.certificates = certificates
            self.modified = modified
        }
    }

    public struct CertificateName: Codable, Sendable, Hashable {
        public var subject: String
        public var issuer: String

        public init(subject: String, issuer: String) {
            self.subject = subject
            self.issuer = issuer
        }
    }

    public struct Measurement: Codable, Sendable, Hashable {
        public var index: UInt8
        public var type: String
        public var representation: String
        public var tcb: Bool
        public var value: String
        public var modified: Bool

        public init(index: UInt8, type: String, representation: String, tcb: Bool, value: String, modified: Bool) {
            self.index = index
            self.type = type
            self.representation = representation
            self.tcb = tcb
            self.value = value
            self.modified = modified
        }
    }

    public init(summary: DeviceSummary, versions: [String], capabilities: [String], algorithms: Algorithms, slots: [Slot],
                measurements: [Measurement], fingerprint: String) {
        self.summary = summary
        self.versions = versions
        self.capabilities = capabilities
        self.algorithms = algorithms
        self.slots = slots
        self.measurements = measurements
        self.fingerprint = fingerprint
    }

    // The summary's fields sit at the top level of the document, beside the detail's own.
    private enum CodingKeys: String, CodingKey {
        case versions, capabilities, algorithms, slots, measurements, fingerprint
    }

    public init(from decoder: any Decoder) throws {
        summary = try DeviceSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        versions = try container.decode([String].self, forKey: .versions)
        capabilities = try container.decode([String].self, forKey: .capabilities)
        algorithms = try container.decode(Algorithms.self, forKey: .algorithms)
        slots = try container.decode([Slot].self, forKey: .slots)
        measurements = try container.decode([Measurement].self, forKey: .measurements)
        fingerprint = try container.decode(String.self, forKey: .fingerprint)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(versions, forKey: .versions)
        try container.encode(capabilities, forKey: .capabilities)
        try container.encode(algorithms, forKey: .algorithms)
        try container.encode(slots, forKey: .slots)
        try container.encode(measurements, forKey: .measurements)
        try container.encode(fingerprint, forKey: .fingerprint)
    }
}

/// GET /v1/connections: one open connection.
public struct ConnectionDocument: Codable, Sendable, Hashable {
    public var id: UInt64
    public var device: String
    public var peer: String
    public var local: String
    public var opened: Date
    public var requests: Int
    public var errors: Int
    public var version: String?
    public var lastRequest: String?
    public var sessions: Int

    public init(id: UInt64, device: String, peer: String, local: String, opened: Date, requests: Int, errors: Int,
                version: String?, lastRequest: String?, sessions: Int) {
        self.id = id
        self.device = device
        self.peer = peer
        self.local = local
        self.opened = opened
        self.requests = requests
        self.errors = errors
        self.version = version
        self.lastRequest = lastRequest
        self.sessions = sessions
    }
}

/// GET /v1/sessions: one established secure session.
public struct SessionDocument: Codable, Sendable, Hashable {
    public var device: String
    public var connection: UInt64
    /// "0x" and eight hex digits.
    public var sessionId: String
    /// KEY_EXCHANGE or PSK.
    public var kind: String
    public var version: String
    /// The connection's negotiated algorithms by role: hash, asym, dhe, aead.
    public var algorithms: [String: String]
    public var mutualAuthentication: Bool
    public var heartbeatPeriod: UInt8
    public var started: Date
    public var lastHeartbeat: Date?

    public init(device: String, connection: UInt64, sessionId: String, kind: String, version: String,
                algorithms: [String: String], mutualAuthentication: Bool, heartbeatPeriod: UInt8, started: Date,
                lastHeartbeat: Date?) {
        self.device = device
        self.connection = connection
        self.sessionId = sessionId
        self.kind = kind
        self.version = version
        self.algorithms = algorithms
        self.mutualAuthentication = mutualAuthentication
        self.heartbeatPeriod = heartbeatPeriod
        self.started = started
        self.lastHeartbeat = lastHeartbeat
    }
}

/// POST /v1/reload: what the reload did.
public struct ReloadDocument: Codable, Sendable, Hashable {
    public var added: [String]
    public var removed: [String]
    public var changed: [String]
    public var unchanged: [String]
    public var listeners: [Listener]
    public var notes: [String]

    public struct Listener: Codable, Sendable, Hashable {
        public var device: String
        public var address: String

        public init(device: String, address: String) {
            self.device = device
            self.address = address
        }
    }

    public init(added: [String], removed: [String], changed: [String], unchanged: [String], listeners: [Listener], notes: [String]) {
        self.added = added
        self.removed = removed
        self.changed = changed
        self.unchanged = unchanged
        self.listeners = listeners
        self.notes = notes
    }
}

/// PUT /v1/devices/{name}/measurements/{index}: the value as in the config ("hex:..", "cstr:..", text).
public struct MeasurementBody: Codable, Sendable, Hashable {
    public var value: String
    public init(value: String) { self.value = value }
}

/// PUT /v1/devices/{name}/slots/{id}: chain (root or leaf first), the leaf's key, and the root
/// when the chain does not start with one; PEM.
public struct SlotBody: Codable, Sendable, Hashable {
    public var chainPem: String
    public var keyPem: String
    public var rootPem: String?

    public init(chainPem: String, keyPem: String, rootPem: String? = nil) {
        self.chainPem = chainPem
        self.keyPem = keyPem
        self.rootPem = rootPem
    }
}

/// Every refused request: 400 bad request, 404 no such device or route, 409 invalid config, 500.
public struct ErrorDocument: Codable, Sendable, Hashable {
    public var error: String
    public init(error: String) { self.error = error }
}

/// One fault rule (GET, PUT /v1/devices/{name}/faults), keys as in `[[device.fault]]`: `on` (a
/// request code name or "*"), `in_session`, `action`, `when`, `count`, `seed`. The daemon's answers
/// always carry `when` and the effective `seed` (the one derived from the device and the rule's
/// index when none was given), so a rule set read back and put again behaves the same.
public struct FaultRuleDocument: Codable, Sendable, Hashable {
    public var on: String
    public var inSession: Bool?
    public var action: String
    public var when: String?
    public var count: Int?
    public var seed: UInt64?

    public init(on: String, inSession: Bool? = nil, action: String, when: String? = nil, count: Int? = nil, seed: UInt64? = nil) {
        self.on = on
        self.inSession = inSession
        self.action = action
        self.when = when
        self.count = count
        self.seed = seed
    }
}

/// PUT /v1/devices/{name}/capture: where the daemon writes the device's frames (an absolute path on
/// the daemon's host; created or truncated).
public struct CaptureBody: Codable, Sendable, Hashable {
    public var path: String
    public init(path: String) { self.path = path }
}

/// GET, PUT and DELETE /v1/devices/{name}/capture: the capture running (or, after DELETE, the one
/// that just ended). `running` false and no path: none.
public struct CaptureDocument: Codable, Sendable, Hashable {
    public var device: String
    public var running: Bool
    public var path: String?
    /// The pcap link type: 291 MCTP, 292 PCI-DOE (as DMTF's spdm_requester_emu --pcap writes).
    public var linkType: UInt32?
    /// Records written (one per NORMAL frame received or sent).
    public var packets: Int
    /// Bytes written, the pcap header included.
    public var bytes: Int
    public var started: Date?

    public init(device: String, running: Bool, path: String?, linkType: UInt32?, packets: Int, bytes: Int, started: Date?) {
        self.device = device
        self.running = running
        self.path = path
        self.linkType = linkType
        self.packets = packets
        self.bytes = bytes
        self.started = started
    }
}

/// GET /v1/health: whether every device of this daemon (or of its shard) has its listeners bound.
/// A Kubernetes readiness probe runs `spdmctl health`, which exits 0 only when `ready`.
public struct HealthDocument: Codable, Sendable, Hashable {
    public var ready: Bool
    /// The devices this daemon serves.
    public var devices: Int
    /// The devices the config defines (more than `devices` when sharded).
    public var fleetDevices: Int
    /// "I/N" when the daemon serves one shard of the fleet.
    public var shard: String?
    public var listeners: Int
    /// Devices without a bound listener (a reload that could not bind one).
    public var unbound: [String]
    public var openConnections: Int

    public init(ready: Bool, devices: Int, fleetDevices: Int, shard: String?, listeners: Int, unbound: [String], openConnections: Int) {
        self.ready = ready
        self.devices = devices
        self.fleetDevices = fleetDevices
        self.shard = shard
        self.listeners = listeners
        self.unbound = unbound
        self.openConnections = openConnections
    }
}

/// GET /v1/devices/{name}/state (and the answer to DELETE, the factory reset): what the device's
/// state directory holds — the state that survives a restart — file by file. Values are hex.
public struct DeviceStateDocument: Codable, Sendable, Hashable {
    public var device: String
    public var directory: String
    /// measurements.json: values set through the control API.
    public var measurements: [StoredMeasurement]
    /// slot<N>.override.pem: chains set through the control API.
    public var slots: [StoredSlot]
    /// provisioned.json: what SPDM provisioning requests acknowledged.
    public var provisioned: Provisioned
    /// State files that could not be read, each named with the reason.
    public var problems: [String]

    public struct StoredMeasurement: Codable, Sendable, Hashable {
        public var index: UInt8
        public var value: String
        public init(index: UInt8, value: String) {
            self.index = index
            self.value = value
        }
    }

    public struct StoredSlot: Codable, Sendable, Hashable {
        public var id: UInt8
        public var certificates: [DeviceDetail.CertificateName]
        public init(id: UInt8, certificates: [DeviceDetail.CertificateName]) {
            self.id = id
            self.certificates = certificates
        }
    }

    /// The provisioned state: what is in force, and what waits for a device reset.
    public struct Provisioned: Codable, Sendable, Hashable {
        public var revision: UInt64
        public var installedChains: [Chain]
        public var erasedSlots: [UInt8]
        public var keyPairs: [KeyPair]
        public var pendingReset: Pending

        public init(revision: UInt64, installedChains: [Chain], erasedSlots: [UInt8], keyPairs: [KeyPair], pendingReset: Pending) {
            self.revision = revision
            self.installedChains = installedChains
            self.erasedSlots = erasedSlots
            self.keyPairs = keyPairs
            self.pendingReset = pendingReset
        }

        public var isEmpty: Bool { installedChains.isEmpty && erasedSlots.isEmpty && keyPairs.isEmpty && pendingReset.isEmpty }
    }

    public struct Pending: Codable, Sendable, Hashable {
        public var installedChains: [Chain]
        public var erasedSlots: [UInt8]
        public var keyPairs: [KeyPair]
        public var csrRequests: [CSRRequest]

        public init(installedChains: [Chain], erasedSlots: [UInt8], keyPairs: [KeyPair], csrRequests: [CSRRequest]) {
            self.installedChains = installedChains
            self.erasedSlots = erasedSlots
            self.keyPairs = keyPairs
            self.csrRequests = csrRequests
        }

        public var isEmpty: Bool { installedChains.isEmpty && erasedSlots.isEmpty && keyPairs.isEmpty && csrRequests.isEmpty }
    }

    /// A chain SET_CERTIFICATE installed in a slot.
    public struct Chain: Codable, Sendable, Hashable {
        public var slot: UInt8
        public var keyPairId: UInt8
        /// "device", "alias", "generic", or the CertModel number.
        public var certificateModel: String
        public var bytes: Int
        /// Root first; empty when the bytes are not DER certificates.
        public var certificates: [DeviceDetail.CertificateName]

        public init(slot: UInt8, keyPairId: UInt8, certificateModel: String, bytes: Int, certificates: [DeviceDetail.CertificateName]) {
            self.slot = slot
            self.keyPairId = keyPairId
            self.certificateModel = certificateModel
            self.bytes = bytes
            self.certificates = certificates
        }
    }

    /// A key pair's settings as SET_KEY_PAIR_INFO left them.
    public struct KeyPair: Codable, Sendable, Hashable {
        public var id: UInt8
        public var keyUsage: UInt16
        public var asymAlgorithm: UInt32
        public var pqcAsymAlgorithm: UInt32
        public var associatedSlotMask: UInt8
        public var erased: Bool

        public init(id: UInt8, keyUsage: UInt16, asymAlgorithm: UInt32, pqcAsymAlgorithm: UInt32, associatedSlotMask: UInt8, erased: Bool) {
            self.id = id
            self.keyUsage = keyUsage
            self.asymAlgorithm = asymAlgorithm
            self.pqcAsymAlgorithm = pqcAsymAlgorithm
            self.associatedSlotMask = associatedSlotMask
            self.erased = erased
        }
    }

    /// A GET_CSR answered with ResetRequired, by CSRTrackingTag.
    public struct CSRRequest: Codable, Sendable, Hashable {
        public var tag: UInt8
        public var keyPairId: UInt8
        /// The device was reset since: the GET_CSR with this tag gets the CSR.
        public var ready: Bool

        public init(tag: UInt8, keyPairId: UInt8, ready: Bool) {
            self.tag = tag
            self.keyPairId = keyPairId
            self.ready = ready
        }
    }

    public init(device: String, directory: String, measurements: [StoredMeasurement], slots: [StoredSlot], provisioned: Provisioned,
                problems: [String]) {
        self.device = device
        self.directory = directory
        self.measurements = measurements
        self.slots = slots
        self.provisioned = provisioned
        self.problems = problems
    }
}

/// POST /v1/devices/{name}/reset: what the device reset applied, how many connections it closed,
/// and the persisted state afterwards.
public struct DeviceResetDocument: Codable, Sendable, Hashable {
    public var device: String
    /// One line per change that waited for the reset.
    public var applied: [String]
    public var closedConnections: Int
    public var state: DeviceStateDocument

    public init(device: String, applied: [String], closedConnections: Int, state: DeviceStateDocument) {
        self.device = device
        self.applied = applied
        self.closedConnections = closedConnections
        self.state = state
    }
}
