import Foundation
import Logging
import NIOHTTP1
import SPDMCore
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire

/// The control API's routes:
///
///     GET  /v1/devices                                  every device, with its counters
///     GET  /v1/devices/{name}                           one device: versions, capabilities, algorithms, slots, measurements
///     GET  /v1/connections                              open connections
///     GET  /v1/sessions                                 open secure sessions
///     PUT  /v1/devices/{name}/measurements/{index}      {"value": "hex:0a0b.." | "text"}
///     PUT  /v1/devices/{name}/slots/{id}                {"chain_pem": "...", "key_pem": "...", "root_pem": "..."?}
///     POST /v1/devices/{name}/reset                     forget what the control API changed
///     POST /v1/reload                                   re-read the config file
///     GET  /metrics                                     Prometheus text
///
/// Errors are {"error": "..."} with 400 (bad request), 404 (no such device, measurement or
/// route), 409 (the new config is invalid: nothing changed) or 500.
struct ControlAPI: Sendable {
    let daemon: FleetDaemon
    let logger: Logger

    func handle(_ request: ControlRequest) async -> ControlResponse {
        do {
            return try await route(request)
        } catch let error as ControlError {
            return .error(error)
        } catch let error as ConfigError {
            return .error(.conflict("the config is invalid, nothing changed: \(error)"))
        } catch {
            return .error(.internalError("\(error)"))
        }
    }

    /// Route patterns; "*" matches one path segment, handed to the handler in order.
    private static let routes: [(method: HTTPMethod, pattern: [String])] = [
        (.GET, ["metrics"]),
        (.GET, ["v1", "devices"]),
        (.GET, ["v1", "devices", "*"]),
        (.GET, ["v1", "connections"]),
        (.GET, ["v1", "sessions"]),
        (.PUT, ["v1", "devices", "*", "measurements", "*"]),
        (.PUT, ["v1", "devices", "*", "slots", "*"]),
        (.POST, ["v1", "devices", "*", "reset"]),
        (.POST, ["v1", "reload"]),
    ]

    private static func match(_ pattern: [String], _ segments: [String]) -> [String]? {
        guard pattern.count == segments.count else { return nil }
        var captures: [String] = []
        for (expected, actual) in zip(pattern, segments) {
            if expected == "*" { captures.append(actual) } else if expected != actual { return nil }
        }
        return captures
    }

    private func route(_ request: ControlRequest) async throws -> ControlResponse {
        let segments = request.segments
        let matching = Self.routes.compactMap { route in Self.match(route.pattern, segments).map { (route, $0) } }
        guard !matching.isEmpty else { throw ControlError.notFound("no such endpoint: \(request.method) \(request.path)") }
        guard let (route, captures) = matching.first(where: { $0.0.method == request.method }) else {
            throw ControlError.badRequest("method \(request.method) is not allowed on \(request.path) (use \(matching.map { "\($0.0.method)" }.joined(separator: ", ")))")
        }
        switch (route.method, route.pattern) {
        case (.GET, ["metrics"]):
            return .text(MetricsRenderer.render(daemon))
        case (.GET, ["v1", "devices"]):
            return .json(daemon.runtimes.map { summary($0) })
        case (.GET, ["v1", "devices", "*"]):
            return .json(detail(try runtime(captures[0])))
        case (.GET, ["v1", "connections"]):
            return .json(daemon.runtimes.flatMap { $0.openConnections.map(connection) })
        case (.GET, ["v1", "sessions"]):
            return .json(daemon.runtimes.flatMap { runtime in
                runtime.openConnections.flatMap { record in
                    record.state.withLockedValue { $0.sessions }.map { SessionDocument($0, device: runtime.name, connection: record.id) }
                }
            })
        case (.PUT, ["v1", "devices", "*", "measurements", "*"]):
            let (name, indexText) = (captures[0], captures[1])
            let runtime = try runtime(name)
            guard let index = UInt8(indexText), (1...254).contains(index) else {
                throw ControlError.badRequest("measurement index must be 1-254, got '\(indexText)'")
            }
            let body = try decode(MeasurementBody.self, request)
            guard let value = ByteString.parse(body.value) else { throw ControlError.badRequest("value: invalid hex after 'hex:'") }
            try await blocking { try runtime.setMeasurement(index: index, value: value) }
            logger.notice("measurement set through the control API", metadata: ["spdm_device": "\(name)", "index": "\(index)"])
            return .json(detail(runtime))
        case (.PUT, ["v1", "devices", "*", "slots", "*"]):
            let (name, idText) = (captures[0], captures[1])
            let runtime = try runtime(name)
            guard let id = UInt8(idText), id < 8 else { throw ControlError.badRequest("slot must be 0-7, got '\(idText)'") }
            let body = try decode(SlotBody.self, request)
            try await blocking {
                let model = runtime.device.slot(id)?.certificateModel ?? 1
                let slot = try SlotMaterial.parse(id: id, chainPEM: body.chainPem, keyPEM: body.keyPem, rootPEM: body.rootPem, model: model)
                // Store the chain root first, as SPDM sends it.
                let chainPEM = try Certificate.parseConcatenatedDER(slot.certificatesDER).map(\.pem).joined()
                let keyPEM = SlotMaterial.pemBlock(body.keyPem, containing: "PRIVATE KEY") ?? body.keyPem
                try runtime.setSlot(slot, chainPEM: chainPEM, keyPEM: keyPEM)
            }
            logger.notice("certificate slot replaced through the control API", metadata: ["spdm_device": "\(name)", "slot": "\(id)"])
            return .json(detail(runtime))
        case (.POST, ["v1", "devices", "*", "reset"]):
            let runtime = try runtime(captures[0])
            try await blocking { try runtime.reset() }
            logger.notice("device reset to its config through the control API", metadata: ["spdm_device": "\(captures[0])"])
            return .json(detail(runtime))
        case (.POST, ["v1", "reload"]):
            let summary = try await daemon.reload()
            return .json(ReloadDocument(summary))
        default:
            throw ControlError.notFound("no such endpoint: \(request.method) \(request.path)")
        }
    }

    private func runtime(_ name: String) throws -> DeviceRuntime {
        guard let runtime = daemon.runtime(named: name) else { throw ControlError.notFound("no device named '\(name)'") }
        return runtime
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: ControlRequest) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: Data(request.body))
        } catch DecodingError.keyNotFound(let key, _) {
            throw ControlError.badRequest("the JSON body needs \"\(key.stringValue.snakeCased)\"")
        } catch {
            throw ControlError.badRequest("the body is not the JSON expected: \(error)")
        }
    }

    /// Runs file I/O and key parsing away from the cooperative thread pool's hot path.
    private func blocking(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await Task.detached(priority: .userInitiated) { try body() }.value
    }

    // MARK: Documents

    struct MeasurementBody: Decodable { var value: String }
    struct SlotBody: Decodable {
        var chainPem: String
        var keyPem: String
        var rootPem: String?
    }

    struct DeviceSummary: Encodable {
        var name: String
        var transport: String
        var listeners: [String]
        var openConnections: Int
        var totalConnections: Int
        var sessions: Int
        var requests: Int
        var errors: Int
    }

    struct DeviceDetail: Encodable {
        var name: String
        var transport: String
        var listeners: [String]
        var openConnections: Int
        var totalConnections: Int
        var sessions: Int
        var requests: Int
        var errors: Int
        var versions: [String]
        var capabilities: [String]
        var algorithms: Algorithms
        var slots: [Slot]
        var measurements: [Measurement]
        var fingerprint: String

        struct Algorithms: Encodable {
            var hash: [String]
            var asym: [String]
            var measurementHash: [String]
            var dhe: [String]
            var aead: [String]
        }

        struct Slot: Encodable {
            var id: UInt8
            var certificateModel: String
            var keyType: String
            var certificates: [CertificateDocument]
            /// Replaced through the control API (and persisted) rather than from the config.
            var modified: Bool
        }

        struct CertificateDocument: Encodable {
            var subject: String
            var issuer: String
        }

        struct Measurement: Encodable {
            var index: UInt8
            var type: String
            var representation: String
            var tcb: Bool
            var value: String
            var modified: Bool
        }
    }

    struct ConnectionDocument: Encodable {
        var id: UInt64
        var device: String
        var peer: String
        var local: String
        var opened: Date
        var requests: Int
        var errors: Int
        var version: String?
        var lastRequest: String?
        var sessions: Int
    }

    struct SessionDocument: Encodable {
        var device: String
        var connection: UInt64
        var sessionId: String
        /// KEY_EXCHANGE or PSK.
        var kind: String
        var version: String
        var algorithms: [String: String]
        var mutualAuthentication: Bool
        var heartbeatPeriod: UInt8
        var started: Date
        var lastHeartbeat: Date?

        init(_ session: OpenSession, device: String, connection: UInt64) {
            self.device = device
            self.connection = connection
            sessionId = String(format: "0x%08x", session.id)
            kind = session.kind.rawValue
            version = session.version.description
            algorithms = session.algorithms
            mutualAuthentication = session.mutualAuthentication
            heartbeatPeriod = session.heartbeatPeriod
            started = session.started
            lastHeartbeat = session.lastHeartbeat
        }
    }

    struct ReloadDocument: Encodable {
        var added: [String]
        var removed: [String]
        var changed: [String]
        var unchanged: [String]
        var listeners: [[String: String]]
        var notes: [String]

        init(_ summary: FleetDaemon.ReloadSummary) {
            added = summary.added
            removed = summary.removed
            changed = summary.changed
            unchanged = summary.unchanged
            listeners = summary.listeners.map { ["device": $0.device, "address": $0.address] }
            notes = summary.notes
        }
    }

    private func listeners(of name: String) -> [String] {
        daemon.listeners.filter { $0.device == name }.map(\.address)
    }

    func summary(_ runtime: DeviceRuntime) -> DeviceSummary {
        let counters = runtime.counters.snapshot
        return DeviceSummary(name: runtime.name, transport: runtime.definition.transport.description, listeners: listeners(of: runtime.name),
                             openConnections: counters.openConnections, totalConnections: counters.totalConnections,
                             sessions: counters.openSessions, requests: counters.requests, errors: counters.errors)
    }

    func detail(_ runtime: DeviceRuntime) -> DeviceDetail {
        let counters = runtime.counters.snapshot
        let device = runtime.device
        let configured = runtime.definition.responder
        let algorithms = DeviceDetail.Algorithms(
            hash: device.hashPreference.map { algorithmName(BaseHashAlgorithms($0), in: BaseHashAlgorithms.named) },
            asym: device.asymPreference.map { algorithmName(BaseAsymAlgorithms($0), in: BaseAsymAlgorithms.named) },
            measurementHash: device.measurementRawBitStreamOnly ? ["RAW_BIT_STREAM_ONLY"]
                : device.measurementHashPreference.map { algorithmName(BaseHashAlgorithms($0), in: BaseHashAlgorithms.named) },
            dhe: device.dhePreference.map { algorithmName($0, in: DHEGroups.named) },
            aead: device.aeadPreference.map { algorithmName($0, in: AEADSuites.named) })
        let slots = device.slots.map { slot -> DeviceDetail.Slot in
            let certificates = (try? Certificate.parseConcatenatedDER(slot.certificatesDER)) ?? []
            let original = configured.slot(slot.id)
            return DeviceDetail.Slot(
                id: slot.id, certificateModel: [1: "device", 2: "alias", 3: "generic"][slot.certificateModel] ?? "\(slot.certificateModel)",
                keyType: slot.privateKey.keyType.description,
                certificates: certificates.map { DeviceDetail.CertificateDocument(subject: $0.subject, issuer: $0.issuer) },
                modified: original?.certificatesDER != slot.certificatesDER)
        }
        let measurements = device.measurements.entries.map { entry in
            DeviceDetail.Measurement(index: entry.index, type: entry.type.name, representation: entry.representation.rawValue, tcb: entry.tcb,
                                     value: entry.value.spdmHex, modified: configured.measurements.entry(entry.index)?.value != entry.value)
        }
        return DeviceDetail(
            name: runtime.name, transport: runtime.definition.transport.description, listeners: listeners(of: runtime.name),
            openConnections: counters.openConnections, totalConnections: counters.totalConnections, sessions: counters.openSessions,
            requests: counters.requests, errors: counters.errors,
            versions: device.versions.map(\.description), capabilities: device.capabilities.names, algorithms: algorithms,
            slots: slots, measurements: measurements, fingerprint: runtime.definition.fingerprint)
    }

    func connection(_ record: ConnectionRecord) -> ConnectionDocument {
        let state = record.state.withLockedValue { $0 }
        return ConnectionDocument(id: record.id, device: record.device, peer: record.peer, local: record.local, opened: record.opened,
                                  requests: state.requests, errors: state.errors, version: state.version, lastRequest: state.lastRequest,
                                  sessions: state.sessions.count)
    }
}

extension String {
    /// "chainPem" -> "chain_pem", for messages naming JSON keys.
    var snakeCased: String {
        reduce(into: "") { result, character in
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
    }
}
