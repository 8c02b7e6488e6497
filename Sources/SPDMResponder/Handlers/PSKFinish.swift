import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// PSK_FINISH -> PSK_FINISH_RSP (DSP0274 §10.18): RequesterVerifyData =
/// HMAC(request finished_key, Hash(TH || PSK_FINISH header (and 1.4 opaque data))); TH2 adds
/// PSK_FINISH and PSK_FINISH_RSP.
extension ResponderConnection {
    mutating func handlePSKFinish(_ request: [UInt8], sessionID: UInt32) throws -> ([UInt8], SessionFollowUp) {
        // Validate
        guard var session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("no session") }
        let hash = session.secrets.schedule.hash
        let message = try PSKFinishRequest(decoding: request, verifyDataSize: hash.digestSize)
        var covered: [UInt8] = []
        message.encodeWithoutVerifyData(into: &covered)
        let thFinish = session.transcript + covered
        let expected = session.secrets.verifyData(requestDirection: true, transcriptHash: Digest.hash(hash, thFinish))
        guard constantTimeEquals(expected, message.verifyData) else {
            throw ResponderError(.decryptError, "PSK_FINISH RequesterVerifyData does not verify")
        }

        // Build
        var bytes: [UInt8] = []
        PSKFinishResponse(version: session.version).encode(into: &bytes)

        // Update
        session.transcript = thFinish + message.verifyData + bytes
        session.awaitingFinish = false
        let th2Hash = Digest.hash(hash, session.transcript)
        sessions[sessionID] = session
        return (bytes, .establish(th2Hash: th2Hash))
    }
}
