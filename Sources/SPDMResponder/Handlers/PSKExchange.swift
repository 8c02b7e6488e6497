import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// PSK_EXCHANGE -> PSK_EXCHANGE_RSP (DSP0274 §10.17): the handshake secret from the PSK named by
/// the hint, TH1 = A || PSK_EXCHANGE || PSK_EXCHANGE_RSP (without verify data). With PSK_CAP "with
/// context" the responder adds a ResponderContext and waits for PSK_FINISH; without, the session is
/// established at once with TH2 = TH1 || verify data.
extension ResponderConnection {
    mutating func handlePSKExchange(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let (schedule, algorithms, hash) = try sessionSchedule()
        guard algorithms.version >= .v11 else { throw ResponderError.unsupportedRequest(.pskExchange) }
        guard peer.flags.contains(.pskWithoutContext) else { throw ResponderError.unsupportedRequest(.pskExchange) }
        let message = try PSKExchangeRequest(decoding: request)
        guard message.requesterContext.count >= hash.digestSize else {
            throw ResponderError.invalidRequest("RequesterContext of \(message.requesterContext.count) bytes, at least H needed")
        }
        guard let psk = device.sessionSettings.psk(forHint: message.pskHint) else {
            throw ResponderError.invalidRequest("unknown PSK hint")
        }
        let summary = try measurementSummary(message.summaryHashType, hash: hash, version: algorithms.version)
        let encrypt = try sessionEncrypts()
        let opaque = try securedMessageVersionSelection(message.opaqueData, version: algorithms.version)
        let sessionID = try allocateResponderSessionID(requesterSessionID: message.requesterSessionID)
        let withContext = device.capabilities.contains(.pskWithContext)

        // Process + build
        var response = PSKExchangeResponse(
            version: algorithms.version, heartbeatPeriod: heartbeatPeriodForNewSession(),
            responderSessionID: UInt16(sessionID >> 16), measurementSummaryHash: summary,
            responderContext: withContext ? randomBytes(hash.digestSize) : [], opaqueData: opaque)
        var unsigned: [UInt8] = []
        response.encodeWithoutVerifyData(into: &unsigned)
        var th = transcript.vca + Array(request.prefix(message.encodedSize)) + unsigned
        let th1Hash = Digest.hash(hash, th)
        var secrets = SessionSecrets(schedule: schedule, role: .responder, encrypt: encrypt, psk: psk, th1Hash: th1Hash)
        response.verifyData = secrets.verifyData(requestDirection: false, transcriptHash: th1Hash)
        th += response.verifyData
        let bytes = unsigned + response.verifyData

        // Update
        if !withContext { secrets.establish(th2Hash: Digest.hash(hash, th)) }
        sessions[sessionID] = ResponderSession(id: sessionID, usesPSK: true, secrets: secrets, transcript: th,
                                               awaitingFinish: withContext, version: algorithms.version,
                                               heartbeatPeriod: response.heartbeatPeriod)
        return bytes
    }
}
