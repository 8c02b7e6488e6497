import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// The requester side of sessions (DSP0274 §10.15-10.21, DSP0277): KEY_EXCHANGE / FINISH
/// (KeyExchange.swift), PSK_EXCHANGE / PSK_FINISH, then HEARTBEAT, KEY_UPDATE, GET_MEASUREMENTS and END_SESSION inside
/// the session. Handshake messages go in the clear (KEY_EXCHANGE, PSK_EXCHANGE) or in secured
/// records under the handshake keys (FINISH, PSK_FINISH); the key schedule is SPDMSession's.
///
/// The building blocks (`startKeyExchange` / `receiveKeyExchange` / `finishRequest` / ...) are
/// pure; the drivers (`keyExchange`, `pskExchange`, `heartbeat`, ...) run them over a plain
/// exchange and a secured exchange.
extension RequesterConnection {
    /// What PSK_EXCHANGE left to check its response.
    public struct PSKExchangeState: Sendable {
        public var request: [UInt8]
        public var summary: MeasurementSummaryHashType
        public var requesterSessionID: UInt16
        var psk: [UInt8]
    }

    // MARK: Shared checks

    /// The key schedule of the negotiated algorithms; throws when sessions cannot be opened.
    func sessionSchedule(for code: RequestCode) throws -> (KeySchedule, NegotiatedAlgorithms, HashAlgorithm) {
        let algorithms = try algorithms(for: code)
        guard algorithms.version >= .v11 else { throw RequesterError.sessionRefused("SPDM \(algorithms.version) has no sessions") }
        guard let hash = algorithms.hash else { throw RequesterError.negotiationFailed("\(code) needs a negotiated hash") }
        guard let aead = AEADAlgorithm(algorithms.aead) else { throw RequesterError.negotiationFailed("\(code) needs a negotiated AEAD suite") }
        guard algorithms.keySchedule.contains(.spdm) else { throw RequesterError.negotiationFailed("\(code) needs the SPDM key schedule") }
        return (KeySchedule(hash: hash, aead: aead, version: algorithms.version), algorithms, hash)
    }

    /// Encrypt-and-MAC when both sides have ENCRYPT_CAP, MAC-only when both have MAC_CAP only.
    func sessionEncrypts() throws -> Bool {
        let theirs = responderCapabilities?.flags ?? [], ours = configuration.capabilities
        if theirs.contains(.encrypt) && ours.contains(.encrypt) { return true }
        if theirs.contains(.mac) && ours.contains(.mac) { return false }
        throw RequesterError.capabilityMissing("ENCRYPT_CAP or MAC_CAP on both sides")
    }

    /// Turns an ERROR in the clear into `errorResponse`, and checks the response code and version.
    func checkSessionResponse(_ response: [UInt8], code: RequestCode, expected: ResponseCode, version: SPDMVersion) throws {
        try checkResponse(response, code: code, expected: expected, version: version)
    }

    func checkSecuredMessageVersion(_ opaque: [UInt8], version: SPDMVersion, code: RequestCode) throws -> UInt16? {
        let selected: UInt16?
        do { selected = try SecuredMessageOpaqueData.selectedVersion(opaque, spdmVersion: version) } catch {
            throw RequesterError.malformedResponse(request: code, reason: "opaque data: \(error)")
        }
        if let selected, !SecuredMessageOpaqueData.supportedVersions.map({ $0 & 0xFF00 }).contains(selected & 0xFF00) {
            throw RequesterError.malformedResponse(request: code, reason: "secured message version 0x\(String(selected, radix: 16)) was not offered")
        }
        return selected
    }

    // MARK: PSK_EXCHANGE -> PSK_EXCHANGE_RSP, PSK_FINISH -> PSK_FINISH_RSP

    public mutating func startPSKExchange(hint: [UInt8], psk: [UInt8], summary: MeasurementSummaryHashType = .none,
                                          requesterSessionID: UInt16 = 0xFFFF, sessionPolicy: UInt8 = 0) throws
        -> (request: [UInt8], state: PSKExchangeState) {
        guard pending == nil else { throw RequesterError.invalidState("\(pending!.code) is still in flight") }
        let (_, algorithms, hash) = try sessionSchedule(for: .pskExchange)
        try requireResponder(.pskAny, "PSK_CAP for PSK_EXCHANGE")
        guard configuration.capabilities.contains(.pskWithoutContext) else { throw RequesterError.invalidState("PSK_EXCHANGE without PSK_CAP in our capabilities") }
        _ = try sessionEncrypts()
        guard hint.count <= 16 else { throw RequesterError.invalidState("PSK hint of \(hint.count) bytes, at most 16") }
        guard summary.isValid else { throw RequesterError.invalidState("MeasurementSummaryHashType 0x\(String(summary.rawValue, radix: 16))") }
        if summary != .none { try requireResponder(.measurementsAny, "MEAS_CAP for a measurement summary hash") }
        var request: [UInt8] = []
        PSKExchangeRequest(version: algorithms.version, summaryHashType: summary, sessionPolicy: sessionPolicy,
                           requesterSessionID: requesterSessionID, pskHint: hint, requesterContext: randomBytes(hash.digestSize),
                           opaqueData: SecuredMessageOpaqueData.supportedVersionList(spdmVersion: algorithms.version))
            .encode(into: &request)
        transcript.willHandle(request: .pskExchange, authenticated: authenticated)
        return (request, PSKExchangeState(request: request, summary: summary, requesterSessionID: requesterSessionID, psk: psk))
    }

    /// PSK_EXCHANGE_RSP: TH1 = A || PSK_EXCHANGE || PSK_EXCHANGE_RSP (without verify data), the
    /// handshake keys from the PSK, ResponderVerifyData. Without responder context the session is
    /// established at once (`RequesterSession.established`); otherwise PSK_FINISH follows.
    public func receivePSKExchange(_ response: [UInt8], state: PSKExchangeState,
                                   channel: SecuredChannel) throws -> RequesterSession {
        let code = RequestCode.pskExchange
        let (schedule, algorithms, hash) = try sessionSchedule(for: code)
        try checkSessionResponse(response, code: code, expected: .pskExchangeRsp, version: algorithms.version)
        let summarySize = state.summary == .none ? 0 : hash.digestSize
        let (fields, unsigned, verifyData) = try decode(code) { () throws -> ((UInt16, UInt8, [UInt8], [UInt8], [UInt8]), [UInt8], [UInt8]) in
            var reader = WireReader(response)
            let header = try MessageHeader(decoding: &reader)
            let sessionID = try reader.readU16("RspSessionID")
            try reader.skip(2, "Reserved")
            let contextLength = try reader.readU16("ResponderContextLength")
            let opaqueLength = try reader.readU16("OpaqueDataLength")
            let summary = try reader.readBytes(summarySize, "MeasurementSummaryHash")
            let context = try reader.readBytes(Int(contextLength), "ResponderContext")
            let opaque = try reader.readBytes(Int(opaqueLength), "OpaqueData")
            let unsigned = Array(response.prefix(reader.offset))
            let verify = try reader.readBytes(hash.digestSize, "ResponderVerifyData")
            return ((sessionID, header.param1, summary, context, opaque), unsigned, verify)
        }
        let (responderSessionID, heartbeat, summary, context, opaque) = fields
        let selected = try checkSecuredMessageVersion(opaque, version: algorithms.version, code: code)
        let withContext = responderCapabilities?.flags.contains(.pskWithContext) ?? false
        if withContext && context.isEmpty {
            throw RequesterError.malformedResponse(request: code, reason: "PSK_CAP with context, but no ResponderContext")
        }
        var th = transcript.vca + state.request + unsigned
        let th1Hash = Digest.hash(hash, th)
        var secrets = SessionSecrets(schedule: schedule, role: .requester, encrypt: try sessionEncrypts(), psk: state.psk, th1Hash: th1Hash)
        guard constantTimeEquals(secrets.verifyData(requestDirection: false, transcriptHash: th1Hash), verifyData) else {
            throw RequesterError.verifyDataMismatch(request: code)
        }
        th += verifyData
        if !withContext { secrets.establish(th2Hash: Digest.hash(hash, th)) }
        return RequesterSession(
            sessionID: UInt32(responderSessionID) << 16 | UInt32(state.requesterSessionID), usesPSK: true, version: algorithms.version,
            heartbeatPeriod: heartbeat, measurementSummaryHash: summary, securedMessageVersion: selected, channel: channel,
            secrets: secrets, transcript: th, padding: random, largeMessages: largeMessageTransfer)
    }

    /// PSK_FINISH with RequesterVerifyData = HMAC(request finished_key, Hash(TH || PSK_FINISH header)).
    public func pskFinishRequest(session: inout RequesterSession) -> [UInt8] {
        var header: [UInt8] = []
        PSKFinishRequest(version: session.version).encodeWithoutVerifyData(into: &header)
        session.transcript += header
        let verifyData = session.secrets.verifyData(requestDirection: true,
                                                    transcriptHash: Digest.hash(session.secrets.schedule.hash, session.transcript))
        session.transcript += verifyData
        return header + verifyData
    }

    public func receivePSKFinish(_ response: [UInt8], session: inout RequesterSession) throws {
        try checkSessionResponse(response, code: .pskFinish, expected: .pskFinishRsp, version: session.version)
        let message = try decode(.pskFinish) { try PSKFinishResponse(decoding: response) }
        session.transcript += try exact(response, length: message.encodedSize, code: .pskFinish)
        session.secrets.establish(th2Hash: Digest.hash(session.secrets.schedule.hash, session.transcript))
    }

    /// PSK_EXCHANGE, then PSK_FINISH when the responder has PSK_CAP with context.
    public mutating func pskExchange(hint: [UInt8], psk: [UInt8], summary: MeasurementSummaryHashType = .none,
                                     requesterSessionID: UInt16 = 0xFFFF, channel: SecuredChannel,
                                     exchange: ([UInt8]) throws -> [UInt8], secured: SecuredExchange) throws -> RequesterSession {
        let (request, state) = try startPSKExchange(hint: hint, psk: psk, summary: summary, requesterSessionID: requesterSessionID)
        var session = try receivePSKExchange(try exchangeLarge(request, exchange: exchange), state: state, channel: channel)
        if !session.established {
            let finish = pskFinishRequest(session: &session)
            let response = try session.exchange(finish, code: .pskFinish, via: secured)
            try receivePSKFinish(response, session: &session)
        }
        return session
    }

    // MARK: Inside an established session

    func requireEstablished(_ session: RequesterSession, _ code: RequestCode) throws {
        guard session.established, !session.ended else {
            throw RequesterError.invalidState("\(code) needs an established session")
        }
    }

    static func header(_ version: SPDMVersion, _ code: RequestCode, _ param1: UInt8 = 0, _ param2: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = []
        MessageHeader(version: version, code: code.rawValue, param1: param1, param2: param2).encode(into: &out)
        return out
    }

    /// HEARTBEAT -> HEARTBEAT_ACK.
    public func heartbeat(session: inout RequesterSession, via send: SecuredExchange) throws {
        try requireEstablished(session, .heartbeat)
        try requireResponder(.heartbeat, "HBEAT_CAP for HEARTBEAT")
        let response = try session.exchange(Self.header(session.version, .heartbeat), code: .heartbeat, via: send)
        try checkSessionResponse(response, code: .heartbeat, expected: .heartbeatAck, version: session.version)
    }

    /// One KEY_UPDATE operation. UpdateKey: the request direction moves to its next secret once the
    /// request is sealed (the ACK comes under the old response key). UpdateAllKeys: both directions
    /// move (the ACK comes under the new response key). VerifyNewKey: sent under the new key.
    public func keyUpdate(_ operation: KeyUpdateOperation, session: inout RequesterSession, via send: SecuredExchange) throws {
        try requireEstablished(session, .keyUpdate)
        try requireResponder(.keyUpdate, "KEY_UPD_CAP for KEY_UPDATE")
        let tag = randomBytes(1)[0]
        let record = try session.seal(Self.header(session.version, .keyUpdate, operation.rawValue, tag))
        switch operation {
        case .updateKey: session.secrets.updateKeys(request: true, response: false)
        case .updateAllKeys: session.secrets.updateKeys(request: true, response: true)
        default: break
        }
        let response: [UInt8]
        switch try send(record) {
        case .secured(let reply): response = try session.open(reply)
        case .plain(let reply): response = reply
        }
        try checkSessionResponse(response, code: .keyUpdate, expected: .keyUpdateAck, version: session.version)
        guard response.count >= 4, response[2] == operation.rawValue, response[3] == tag else {
            throw RequesterError.malformedResponse(request: .keyUpdate, reason: "KEY_UPDATE_ACK does not echo operation \(operation.rawValue) and tag \(tag)")
        }
    }

    /// UpdateKey (or UpdateAllKeys), then VerifyNewKey.
    public func updateKeys(all: Bool, session: inout RequesterSession, via send: SecuredExchange) throws {
        try keyUpdate(all ? .updateAllKeys : .updateKey, session: &session, via: send)
        try keyUpdate(.verifyNewKey, session: &session, via: send)
    }

    /// GET_MEASUREMENTS inside the session, with the session's own L1/L2; the connection's
    /// transcript is left as it was.
    public mutating func getMeasurements(_ request: MeasurementRequest, session: inout RequesterSession,
                                         via send: SecuredExchange) throws -> MeasurementsResult {
        try requireEstablished(session, .getMeasurements)
        let outer = transcript
        transcript.resetM()
        transcript.appendM(session.messageM)
        defer {
            session.messageM = transcript.messageM
            transcript = outer
        }
        let event = try perform(.getMeasurements(request)) { message in
            try session.exchange(message, code: .getMeasurements, via: send)
        }
        guard case .measurements(let result) = event else { throw RequesterError.invalidState("unexpected event for GET_MEASUREMENTS") }
        return result
    }

    /// END_SESSION -> END_SESSION_ACK; the session cannot send afterwards.
    public func endSession(session: inout RequesterSession, clearNegotiatedState: Bool = false, via send: SecuredExchange) throws {
        try requireEstablished(session, .endSession)
        let attributes: EndSessionAttributes = clearNegotiatedState ? .clearNegotiatedState : []
        let response = try session.exchange(Self.header(session.version, .endSession, attributes.rawValue), code: .endSession, via: send)
        session.ended = true
        try checkSessionResponse(response, code: .endSession, expected: .endSessionAck, version: session.version)
    }
}
