import Foundation
import Logging
import NIOHTTP1
import SPDMControlModel
import SPDMCore
import SPDMCrypto
import SPDMDevice
import SPDMResponder
import SPDMWire

/// The control API: each route of `ControlRoute` (SPDMControlModel's one table) answered with the
/// documents spdmctl decodes.
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

    private func route(_ request: ControlRequest) async throws -> ControlResponse {
        let route: ControlRoute
        do {
            route = try ControlRoute.match(method: "\(request.method)", segments: request.segments)
        } catch .notFound {
            throw ControlError.notFound("no such endpoint: \(request.method) \(request.path)")
        } catch .methodNotAllowed(let allowed) {
            throw ControlError.badRequest("method \(request.method) is not allowed on \(request.path) (use \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        switch route {
        case .metrics:
            return .text(MetricsRenderer.render(daemon))
        case .health:
            return .json(health())
        case .devices:
            return .json(daemon.runtimes.map { summary($0) })
        case .device(let name):
            return .json(detail(try runtime(name)))
        case .connections:
            return .json(daemon.runtimes.flatMap { $0.openConnections.map(connection) })
        case .sessions:
            return .json(daemon.runtimes.flatMap { runtime in
                runtime.openConnections.flatMap { record in
                    record.state.withLockedValue { $0.sessions }.map { SessionDocument($0, device: runtime.name, connection: record.id) }
                }
            })
        case let .setMeasurement(name, indexText):
            let runtime = try runtime(name)
            guard let index = UInt8(indexText), (1...254).contains(index) else {
                throw ControlError.badRequest("measurement index must be 1-254, got '\(indexText)'")
            }
            let body = try decode(MeasurementBody.self, request)
            guard let value = ByteString.parse(body.value) else { throw ControlError.badRequest("value: invalid hex after 'hex:'") }
            try await blocking { try runtime.setMeasurement(index: index, value: value) }
            logger.notice("measurement set through the control API", metadata: ["spdm_device": "\(name)", "index": "\(index)"])
            return .json(detail(runtime))
        case let .setSlot(name, idText):
            let runtime = try runtime(name)
            guard let id = UInt8(idText), id < 8 else { throw ControlError.badRequest("slot must be 0-7, got '\(idText)'") }
            let body = try decode(SlotBody.self, request)
            try await blocking {
                let model = runtime.device.slot(id)?.certificateModel ?? 1
                let slot: CertificateSlot
                do {
                    slot = try SlotMaterial.slot(id: id, chain: Array(body.chainPem.utf8), keyPEM: body.keyPem,
                                                 root: body.rootPem.map { Array($0.utf8) }, model: model)
                } catch let error as SlotMaterial.Problem {
                    let hint = error.kind == .rootMissing ? "; give root_pem" : ""
                    throw ControlError.badRequest("\(error.part)_pem: \(error.message)\(hint)")
                }
                try runtime.setSlot(slot, pem: try SlotMaterial.pem(chainDER: slot.certificatesDER, keyPEM: body.keyPem))
            }
            logger.notice("certificate slot replaced through the control API", metadata: ["spdm_device": "\(name)", "slot": "\(id)"])
            return .json(detail(runtime))
        case .faults(let name):
            return .json(try runtime(name).faults.rulesWithSeeds.map(FaultRuleDocument.init))
        case .setFaults(let name):
            let runtime = try runtime(name)
            let rules = try FaultRulesBody.parse(request.body)
            runtime.faults.replace(rules)
            logger.notice("fault rules set through the control API",
                          metadata: ["spdm_device": "\(name)", "rules": "\(rules.count)",
                                     "actions": "\(rules.map { "\($0.onText) \($0.action)" }.joined(separator: ", "))"])
            return .json(runtime.faults.rulesWithSeeds.map(FaultRuleDocument.init))
        case .clearFaults(let name):
            let runtime = try runtime(name)
            runtime.faults.replace([])
            logger.notice("fault rules cleared through the control API", metadata: ["spdm_device": "\(name)"])
            return .json([FaultRuleDocument]())
        case .capture(let name):
            let runtime = try runtime(name)
            return .json(CaptureDocument(device: name, runtime.capture.status, running: true))
        case .startCapture(let name):
            let runtime = try runtime(name)
            let body = try decode(CaptureBody.self, request)
            do {
                try await blocking { try runtime.capture.start(path: body.path) }
            } catch let failure as DeviceCapture.Failure {
                throw ControlError.badRequest("\(failure)")
            }
            logger.notice("capture started through the control API", metadata: ["spdm_device": "\(name)", "file": "\(body.path)"])
            return .json(CaptureDocument(device: name, runtime.capture.status, running: true))
        case .stopCapture(let name):
            let runtime = try runtime(name)
            let ended = runtime.capture.stop()
            if let ended {
                logger.notice("capture stopped through the control API",
                              metadata: ["spdm_device": "\(name)", "file": "\(ended.path)", "packets": "\(ended.packets)"])
            }
            return .json(CaptureDocument(device: name, ended, running: false))
        case .resetDevice(let name):
            let runtime = try runtime(name)
            let reset = try await runtime.resetDevice()
            return .json(DeviceResetDocument(device: name, applied: reset.applied, closedConnections: reset.closedConnections,
                                             state: DeviceStateDocument(runtime.store)))
        case .deviceState(let name):
            return .json(DeviceStateDocument(try runtime(name).store))
        case .forgetDeviceState(let name):
            let runtime = try runtime(name)
            let removed = try await blocking { try runtime.forgetState() }
            logger.notice("device's persisted state forgotten through the control API (factory reset)",
                          metadata: ["spdm_device": "\(name)", "files": "\(removed.joined(separator: ", "))"])
            return .json(DeviceStateDocument(runtime.store))
        case .reload:
            let summary = try await daemon.reload()
            return .json(ReloadDocument(summary))
        }
    }

    private func runtime(_ name: String) throws -> DeviceRuntime {
        guard let runtime = daemon.runtime(named: name) else { throw ControlError.notFound("no device named '\(name)'") }
        return runtime
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: ControlRequest) throws -> T {
        do {
            return try ControlJSON.decode(type, from: request.body)
        } catch DecodingError.keyNotFound(let key, _) {
            throw ControlError.badRequest("the JSON body needs \"\(key.stringValue.snakeCased)\"")
        } catch {
            throw ControlError.badRequest("the body is not the JSON expected: \(error)")
        }
    }

    /// Runs file I/O and key parsing away from the cooperative thread pool's hot path.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Task.detached(priority: .userInitiated) { try body() }.value
    }

    private func listeners(of name: String) -> [String] {
        daemon.listeners.filter { $0.device == name }.map(\.address)
    }

    func health() -> HealthDocument {
        let config = daemon.config
        let bound = Set(daemon.listeners.map(\.device))
        let unbound = config.devices.map(\.name).filter { !bound.contains($0) }
        return HealthDocument(ready: unbound.isEmpty, devices: config.devices.count, fleetDevices: config.fleetDeviceCount,
                              shard: config.shard?.description, listeners: daemon.listeners.count, unbound: unbound,
                              openConnections: daemon.statistics.snapshot.openConnections)
    }

    func summary(_ runtime: DeviceRuntime) -> DeviceSummary {
        let counters = runtime.counters.snapshot
        return DeviceSummary(name: runtime.name, transport: runtime.definition.transport.description, listeners: listeners(of: runtime.name),
                             openConnections: counters.openConnections, totalConnections: counters.totalConnections,
                             sessions: counters.openSessions, requests: counters.requests, errors: counters.errors)
    }

    func detail(_ runtime: DeviceRuntime) -> DeviceDetail {
        let device = runtime.device
        let configured = runtime.definition.responder
        let algorithms = DeviceDetail.Algorithms(
            hash: device.hashPreference.map { algorithmName(BaseHashAlgorithms($0), in: BaseHashAlgorithms.named) },
            asym: device.asymPreference.map { algorithmName(BaseAsymAlgorithms($0), in: BaseAsymAlgorithms.named) }
                + device.pqcAsymPreference.map { algorithmName(PQCAsymAlgorithms($0), in: PQCAsymAlgorithms.named) },
            measurementHash: device.measurementRawBitStreamOnly ? ["RAW_BIT_STREAM_ONLY"]
                : device.measurementHashPreference.map { algorithmName(BaseHashAlgorithms($0), in: BaseHashAlgorithms.named) },
            dhe: device.dhePreference.map { algorithmName($0, in: DHEGroups.named) },
            aead: device.aeadPreference.map { algorithmName($0, in: AEADSuites.named) },
            kem: device.kemPreference.map { algorithmName(KEMAlgorithms($0), in: KEMAlgorithms.named) },
            pqcFirst: device.pqcFirst)
        let slots = device.slots.map { slot -> DeviceDetail.Slot in
            let certificates = (try? Certificate.parseConcatenatedDER(slot.certificatesDER)) ?? []
            let original = configured.slot(slot.id)
            return DeviceDetail.Slot(
                id: slot.id, certificateModel: [1: "device", 2: "alias", 3: "generic"][slot.certificateModel] ?? "\(slot.certificateModel)",
                keyType: slot.allKeys.map(\.keyType.description).joined(separator: " + "),
                certificates: certificates.map { DeviceDetail.CertificateName(subject: $0.subject, issuer: $0.issuer) },
                modified: original?.certificatesDER != slot.certificatesDER)
        }
        let measurements = device.measurements.entries.map { entry in
            DeviceDetail.Measurement(index: entry.index, type: entry.type.name, representation: entry.representation.rawValue, tcb: entry.tcb,
                                     value: entry.value.spdmHex, modified: configured.measurements.entry(entry.index)?.value != entry.value)
        }
        return DeviceDetail(
            summary: summary(runtime),
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

extension SessionDocument {
    init(_ session: OpenSession, device: String, connection: UInt64) {
        self.init(device: device, connection: connection, sessionId: String(format: "0x%08x", session.id), kind: session.kind.rawValue,
                  version: session.version.description, algorithms: session.algorithms,
                  mutualAuthentication: session.mutualAuthentication, heartbeatPeriod: session.heartbeatPeriod,
                  started: session.started, lastHeartbeat: session.lastHeartbeat)
    }
}

extension CaptureDocument {
    /// The document of `status` (nil: no capture); `running` says whether it is still going.
    init(device: String, _ status: DeviceCapture.Status?, running: Bool) {
        self.init(device: device, running: running && status != nil, path: status?.path, linkType: status?.linkType,
                  packets: status?.packets ?? 0, bytes: status?.bytes ?? 0, started: status?.started)
    }
}

extension ReloadDocument {
    init(_ summary: FleetDaemon.ReloadSummary) {
        self.init(added: summary.added, removed: summary.removed, changed: summary.changed, unchanged: summary.unchanged,
                  listeners: summary.listeners.map { Listener(device: $0.device, address: $0.address) }, notes: summary.notes)
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
