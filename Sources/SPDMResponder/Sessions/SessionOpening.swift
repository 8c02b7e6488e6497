import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// What KEY_EXCHANGE and PSK_EXCHANGE need to open a session: a session id, the secured-message
/// version, record protection, heartbeat, measurement summary and key schedule.
extension ResponderConnection {
    /// The next free responder half of a session id (0xFFFF downwards, like libspdm).
    func allocateResponderSessionID(requesterSessionID: UInt16) throws -> UInt32 {
        guard sessions.count < device.sessionSettings.maxSessions else {
            throw ResponderError(.sessionLimitExceeded, "\(sessions.count) sessions already open")
        }
        for half in stride(from: UInt32(0xFFFF), to: 0, by: -1) {
            let id = half << 16 | UInt32(requesterSessionID)
            if sessions[id] == nil && !sessions.keys.contains(where: { $0 >> 16 == half }) { return id }
        }
        throw ResponderError(.sessionLimitExceeded, "no free session id")
    }

    /// The secured-message version to use and the opaque data answering `opaque`.
    func securedMessageVersionSelection(_ opaque: [UInt8], version: SPDMVersion) throws -> [UInt8] {
        let requested: [UInt16]
        do {
            requested = try SecuredMessageOpaqueData.requestedVersions(opaque, spdmVersion: version)
        } catch {
            throw ResponderError.invalidRequest("malformed opaque data: \(error)")
        }
        if requested.isEmpty { return [] }
        guard let chosen = SecuredMessageOpaqueData.choose(requested: requested) else {
            throw ResponderError.invalidRequest("no common secured message version in \(requested)")
        }
        return SecuredMessageOpaqueData.versionSelection(chosen, spdmVersion: version)
    }

    /// The session's record protection: encrypt-and-MAC when both sides have ENCRYPT_CAP, MAC-only
    /// when both have MAC_CAP only.
    func sessionEncrypts() throws -> Bool {
        let ours = device.capabilities, theirs = peer.flags
        if ours.contains(.encrypt) && theirs.contains(.encrypt) { return true }
        if ours.contains(.mac) && theirs.contains(.mac) { return false }
        throw ResponderError.invalidRequest("neither ENCRYPT_CAP nor MAC_CAP on both sides")
    }

    func heartbeatPeriodForNewSession() -> UInt8 {
        device.capabilities.contains(.heartbeat) && peer.flags.contains(.heartbeat) ? device.sessionSettings.heartbeatPeriod : 0
    }

    func measurementSummary(_ type: MeasurementSummaryHashType, hash: HashAlgorithm, version: SPDMVersion) throws -> [UInt8] {
        guard type.isValid else { throw ResponderError.invalidRequest("MeasurementSummaryHashType \(type.rawValue)") }
        if type != .none && device.capabilities.intersection(.measurementsAny).isEmpty {
            throw ResponderError.invalidRequest("measurement summary hash asked of a device without MEAS_CAP")
        }
        guard let algorithms = negotiated else { return [] }
        return MeasurementSummary.hash(
            blocks: device.measurements.blocks(device.measurements.entries, hash: algorithms.measurementHash, rawRequested: false),
            tcbIndices: device.measurements.tcbIndices, type: type, version: version, hash: hash)
    }

    func sessionSchedule() throws -> (KeySchedule, NegotiatedAlgorithms, HashAlgorithm) {
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        guard let aead = AEADAlgorithm(algorithms.aead) else {
            throw ResponderError.unexpectedRequest("no AEAD suite negotiated")
        }
        guard algorithms.keySchedule.contains(.spdm) else { throw ResponderError.unexpectedRequest("no key schedule negotiated") }
        return (KeySchedule(hash: hash, aead: aead, version: algorithms.version), algorithms, hash)
    }
}
