import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// Per-device session settings (DSP0274 §10.15-10.20).
public struct SessionSettings: Sendable {
    /// HeartbeatPeriod of KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP when both sides have HBEAT_CAP (0: none).
    public var heartbeatPeriod: UInt8 = 0
    /// Most sessions open at once on one connection.
    public var maxSessions: Int = 4
    /// The TID answered to PLDM GetTID inside a session.
    public var pldmTID: UInt8 = 1
    /// Pre-shared keys by hint.
    public var psks: [PSK] = []

    public struct PSK: Sendable {
        public var hint: [UInt8]
        public var key: [UInt8]
        public init(hint: [UInt8], key: [UInt8]) {
            self.hint = hint
            self.key = key
        }
    }

    public init() {}

    /// The key for `hint`. An empty hint with no explicit empty-hint entry uses the first PSK
    /// (the reference requester sends an empty hint for its default PSK).
    public func psk(forHint hint: [UInt8]) -> [UInt8]? {
        if let entry = psks.first(where: { constantTimeEquals($0.hint, hint) }) { return entry.key }
        return hint.isEmpty ? psks.first?.key : nil
    }
}

/// One session of a responder connection.
struct ResponderSession: Sendable {
    let id: UInt32
    let usesPSK: Bool
    var secrets: SessionSecrets
    /// The session transcript bytes so far: A || Ct || K (|| F), hashed for TH1/TH2 and verify data.
    var transcript: [UInt8]
    /// PSK sessions without PSK_FINISH are established right after PSK_EXCHANGE_RSP.
    var awaitingFinish: Bool
    /// L1/L2 of GET_MEASUREMENTS inside this session.
    var messageM: [UInt8] = []
    var lastKeyUpdate: KeyUpdateOperation?
    var version: SPDMVersion
    /// HeartbeatPeriod sent in KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP, in seconds (0: none).
    var heartbeatPeriod: UInt8 = 0
    /// KEY_EXCHANGE_RSP MutAuthRequested: FINISH must then carry the requester's signature.
    var mutAuthRequested: UInt8 = 0
    /// The requester's verified chain for that signature (provisioned, or from the encapsulated flow).
    var requesterIdentity: RequesterIdentity?
    /// The session's event subscription and the events waiting for it (Events/SessionEvents.swift).
    var events = SessionEvents()

    var established: Bool { secrets.phase == .established }
}

/// What to do once an in-session response has been sealed.
enum SessionFollowUp: Sendable {
    case none
    case establish(th2Hash: [UInt8])
    case terminate
}

/// The result of one secured record.
public struct SecuredOutcome: Sendable {
    public var sessionID: UInt32?
    /// The secured reply record (session id first), or nil when none is sent in the session.
    public var record: [UInt8]?
    /// A reply sent in the clear instead (ERROR(DecryptError) for a record that did not verify).
    public var plainResponse: [UInt8]?
    public var request: RequestCode?
    public var error: ResponderError?
    /// Why the record was dropped, when it was.
    public var dropped: String?
    /// An application message of another MCTP type (logged by the daemon).
    public var applicationMessageType: UInt8?
    /// The request a last CHUNK_SEND carried (reassembled from its chunks).
    public var reassembled: RequestCode?
    /// The session ended with this record (END_SESSION).
    public var sessionEnded = false
    /// `answerInstead` answered the request; the device did not see it.
    public var answeredInstead = false
}

extension ResponderConnection {
    /// The session ids open on this connection.
    public var openSessionIDs: [UInt32] { sessions.keys.sorted() }

    /// The established sessions that promised a HeartbeatPeriod, with it in seconds. DSP0274
    /// §10.19: without a HEARTBEAT or another message in the session for twice that period, the
    /// responder terminates the session. This state machine has no clock: the daemon times it and
    /// calls `expireSession`.
    public var heartbeatPeriods: [UInt32: UInt8] {
        sessions.filter { $0.value.established && $0.value.heartbeatPeriod > 0 }.mapValues(\.heartbeatPeriod)
    }

    /// Ends session `sessionID` without a message (its heartbeat timed out); false if it is not open.
    @discardableResult
    public mutating func expireSession(_ sessionID: UInt32) -> Bool {
        guard let ended = sessions.removeValue(forKey: sessionID) else { return false }
        droppedRecordCount += ended.secrets.droppedRecords
        if encapsulated?.belongs(to: sessionID) == true { encapsulated = nil }
        largeMessages.abandon(session: sessionID)
        return true
    }

    /// Records dropped because they did not authenticate, over all sessions (open and ended).
    public var droppedSecuredRecords: Int { droppedRecordCount + sessions.values.reduce(0) { $0 + $1.secrets.droppedRecords } }

    /// Handles one DSP0277 secured record. `mctpTyped`: the application data starts with an MCTP
    /// message type (0x05 SPDM, 0x01 PLDM, ...) as on MCTP; PCI-DOE carries the SPDM message bare.
    /// `answerInstead` may answer an SPDM request before the device sees it (nil: the device handles it).
    /// `beforeSealing` sees each SPDM request and its response in the clear and returns what is
    /// sealed (the daemon's fault layer; the state machine's own state is already settled).
    public mutating func handleSecured(_ record: [UInt8], format: SecuredMessageFormat, mctpTyped: Bool,
                                       beforeSealing: (_ request: [UInt8], _ response: [UInt8]) -> [UInt8] = { $1 },
                                       answerInstead: (_ request: [UInt8]) -> [UInt8]? = { _ in nil }) -> SecuredOutcome {
        var outcome = SecuredOutcome()
        guard let sessionID = SecuredMessage.sessionID(of: record), var session = sessions[sessionID] else {
            droppedRecordCount += 1
            outcome.dropped = "unknown session id"
            outcome.plainResponse = errorResponse(ResponderError(.decryptError, "unknown session"), to: nil)
            return outcome
        }
        outcome.sessionID = sessionID
        let applicationData: [UInt8]
        do {
            applicationData = try session.secrets.open(record, format: format)
            sessions[sessionID] = session
        } catch {
            sessions[sessionID] = session  // keeps the drop counter
            // DecryptError ends a chunk transfer of the session (DSP0274 1.3, large message transfer).
            largeMessages.abandon(session: sessionID)
            outcome.dropped = "\(error)"
            outcome.plainResponse = errorResponse(ResponderError(.decryptError, "\(error)"), to: nil)
            return outcome
        }

        var message = applicationData
        if mctpTyped {
            guard let type = message.first else {
                outcome.dropped = "empty application data"
                return outcome
            }
            message.removeFirst()
            if type & 0x7F != 0x05 {
                outcome.applicationMessageType = type
                guard let reply = applicationReply(type: type, body: message) else { return outcome }
                outcome.record = seal(sessionID, reply, format: format)
                return outcome
            }
        }

        // An SPDM request inside the session; `answerInstead` (the daemon's fault layer: Busy, an
        // ERROR, a held response for RESPOND_IF_READY) may answer it before the device sees it.
        if let answer = answerInstead(message) {
            outcome.request = message.count >= 2 ? RequestCode(rawValue: message[1]) : nil
            outcome.answeredInstead = true
            let appResponse = mctpTyped ? [0x05] + answer : answer
            outcome.record = seal(sessionID, appResponse, format: format)
            return outcome
        }
        let (response, followUp, code, error, reassembled) = handleInSession(message, sessionID: sessionID)
        outcome.request = code
        outcome.error = error
        outcome.reassembled = reassembled
        let delivered = beforeSealing(message, response)
        let appResponse = mctpTyped ? [0x05] + delivered : delivered
        outcome.record = seal(sessionID, appResponse, format: format)
        // ERROR(DecryptError) inside a session (FINISH / PSK_FINISH verify data that does not
        // verify) ends that session once the error is sealed (DSP0274 §10.16; libspdm frees it too).
        if error?.code == .decryptError {
            expireSession(sessionID)
            outcome.sessionEnded = true
            return outcome
        }
        switch followUp {
        case .none: break
        case .establish(let th2Hash):
            sessions[sessionID]?.secrets.establish(th2Hash: th2Hash)
        case .terminate:
            expireSession(sessionID)
            outcome.sessionEnded = true
        }
        return outcome
    }

    private mutating func seal(_ sessionID: UInt32, _ applicationData: [UInt8], format: SecuredMessageFormat) -> [UInt8]? {
        guard var session = sessions[sessionID] else { return nil }
        var padding: [UInt8] = []
        if format.maxRandomPadding > 0 {
            let count = Int(randomBytes(1)[0]) % format.maxRandomPadding + 1
            padding = randomBytes(count)
        }
        defer { sessions[sessionID] = session }
        return try? session.secrets.seal(sessionID: sessionID, applicationData, format: format, padding: padding)
    }

    /// Answers application messages of other MCTP types: PLDM GetTID (type 0x01, command 0x02) with
    /// the configured TID; other PLDM commands with ERROR_UNSUPPORTED_PLDM_CMD; nothing else.
    func applicationReply(type: UInt8, body: [UInt8]) -> [UInt8]? {
        guard type & 0x7F == 0x01, body.count >= 3, body[0] & 0x80 != 0 else { return nil }
        let header: [UInt8] = [body[0] & 0x1F, body[1], body[2]]
        if body[1] & 0x3F == 0x00 && body[2] == 0x02 {
            return [0x01] + header + [0x00, device.sessionSettings.pldmTID]
        }
        return [0x01] + header + [0x05]
    }

    /// Dispatches an SPDM request received inside session `sessionID`. `error` is why the request
    /// failed, or for a last CHUNK_SEND why the request it carried failed.
    mutating func handleInSession(_ request: [UInt8], sessionID: UInt32)
        -> (response: [UInt8], followUp: SessionFollowUp, code: RequestCode?, error: ResponderError?, reassembled: RequestCode?) {
        guard request.count >= MessageHeader.size, let header = try? MessageHeader(peeking: request) else {
            let error = ResponderError.invalidRequest("message shorter than the 4-byte SPDM header")
            return (errorResponse(error), .none, nil, error, nil)
        }
        let code = RequestCode(rawValue: header.code)
        do {
            let handled = try committing(in: sessionID) { try $0.dispatchInSession(code, header: header, request: request, sessionID: sessionID) }
            return (handled.response, handled.followUp, code, handled.carriedError, handled.reassembled)
        } catch let error as ResponderError {
            return (errorResponse(error, to: code), .none, code, error, nil)
        } catch {
            let mapped = ResponderError(decoding: error)
            return (errorResponse(mapped, to: code), .none, code, mapped, nil)
        }
    }

    mutating func dispatchInSession(_ code: RequestCode, header: MessageHeader, request: [UInt8],
                                    sessionID: UInt32) throws -> Dispatched {
        try RequestGate.check(code, version: header.version, state: state, connectionVersion: version, device: device)
        try admitDuringLargeTransfer(code, sessionID: sessionID)
        guard let session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("session ended") }
        // Chunk messages carry any request of the session, in its handshake too (LargeMessages.swift).
        switch code {
        case .chunkSend: return try handleChunkSend(request, sessionID: sessionID)
        case .chunkGet: return try handleChunkGet(request, sessionID: sessionID)
        default: break
        }
        if !session.established {
            switch code {
            case .finish where handshakeInTheClear:
                throw ResponderError.unexpectedRequest("FINISH must come in the clear: both sides have HANDSHAKE_IN_THE_CLEAR_CAP")
            case .finish where !session.usesPSK:
                let (response, followUp) = try handleFinish(request, sessionID: sessionID)
                return Dispatched(response: response, followUp: followUp)
            case .pskFinish where session.usesPSK && session.awaitingFinish:
                let (response, followUp) = try handlePSKFinish(request, sessionID: sessionID)
                return Dispatched(response: response, followUp: followUp)
            case .getEncapsulatedRequest: return Dispatched(response: try handleGetEncapsulatedRequest(request, sessionID: sessionID))
            case .deliverEncapsulatedResponse: return Dispatched(response: try handleDeliverEncapsulatedResponse(request, sessionID: sessionID))
            default: throw ResponderError.unexpectedRequest("\(code) while the session handshake is in progress")
            }
        }
        switch code {
        case .heartbeat: return Dispatched(response: try handleHeartbeat(request))
        case .keyUpdate: return Dispatched(response: try handleKeyUpdate(request, sessionID: sessionID))
        case .endSession: return Dispatched(response: try handleEndSession(request), followUp: .terminate)
        case .getEncapsulatedRequest: return Dispatched(response: try handleGetEncapsulatedRequest(request, sessionID: sessionID))
        case .deliverEncapsulatedResponse: return Dispatched(response: try handleDeliverEncapsulatedResponse(request, sessionID: sessionID))
        case .getCSR: return Dispatched(response: try handleGetCSR(request))
        case .setCertificate: return Dispatched(response: try handleSetCertificate(request, inSession: true))
        case .getKeyPairInfo: return Dispatched(response: try handleGetKeyPairInfo(request))
        case .setKeyPairInfo: return Dispatched(response: try handleSetKeyPairInfo(request))
        case .getSupportedEventTypes: return Dispatched(response: try handleGetSupportedEventTypes(request))
        case .subscribeEventTypes: return Dispatched(response: try handleSubscribeEventTypes(request, sessionID: sessionID))
        case .getDigests, .getCertificate, .getMeasurements:
            // The session keeps its own L1/L2 (message M); B/C of the connection are untouched.
            let outer = transcript
            transcript.resetM()
            transcript.appendM(session.messageM)
            transcript.willHandle(request: code, authenticated: state == .authenticated)
            defer {
                sessions[sessionID]?.messageM = transcript.messageM
                transcript = outer
            }
            switch code {
            case .getDigests: return Dispatched(response: try handleGetDigests(request))
            case .getCertificate: return Dispatched(response: try handleGetCertificate(request))
            default: return Dispatched(response: try handleGetMeasurements(request))
            }
        default:
            throw ResponderError.unexpectedRequest("\(code) is not allowed inside a session")
        }
    }

    /// Session-only requests received outside any session.
    func refuseOutsideSession(_ code: RequestCode) -> ResponderError {
        if let version, version >= .v12 {
            return ResponderError(.sessionRequired, "\(code) outside a session")
        }
        return ResponderError.unexpectedRequest("\(code) outside a session")
    }

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
