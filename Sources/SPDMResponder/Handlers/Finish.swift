import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// FINISH -> FINISH_RSP (DSP0274 §10.16), inside the handshake-secured session: checks
/// RequesterVerifyData = HMAC(request finished_key, Hash(TH || FINISH header)) in constant time;
/// the data keys then come from TH2 = TH || FINISH || FINISH_RSP.
extension ResponderConnection {
    mutating func handleFinish(_ request: [UInt8], sessionID: UInt32) throws -> ([UInt8], SessionFollowUp) {
        // Validate
        guard var session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("no session") }
        let hash = session.secrets.schedule.hash
        let header = try MessageHeader(peeking: request)
        guard header.param1 & 0x01 == 0 else {
            throw ResponderError.invalidRequest("FINISH with a signature, but mutual authentication was not requested")
        }
        let message = try FinishRequest(decoding: request, signatureSize: 0, verifyDataSize: hash.digestSize)
        var signedPart: [UInt8] = []
        message.encodeWithoutSignature(into: &signedPart)
        let thFinish = session.transcript + signedPart
        let expected = session.secrets.verifyData(requestDirection: true, transcriptHash: Digest.hash(hash, thFinish))
        guard constantTimeEquals(expected, message.verifyData) else {
            throw ResponderError(.decryptError, "FINISH RequesterVerifyData does not verify")
        }

        // Build
        let response = FinishResponse(version: session.version)
        var bytes: [UInt8] = []
        response.encode(into: &bytes)

        // Update: TH2 covers FINISH and FINISH_RSP; the keys switch once FINISH_RSP is sealed.
        session.transcript = thFinish + message.verifyData + bytes
        session.awaitingFinish = false
        let th2Hash = Digest.hash(hash, session.transcript)
        sessions[sessionID] = session
        return (bytes, .establish(th2Hash: th2Hash))
    }
}
