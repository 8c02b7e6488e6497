import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// FINISH -> FINISH_RSP (DSP0274 §10.16), inside the handshake-secured session — or in the clear
/// when both sides have HANDSHAKE_IN_THE_CLEAR_CAP: checks RequesterVerifyData =
/// HMAC(request finished_key, Hash(TH || FINISH header)) in constant time; the data keys then come
/// from TH2 = TH || FINISH || FINISH_RSP.
///
///     FINISH_RSP   | 1.0 hdr: ver, 0x65, 0, 0 | 1.4: OpaqueDataLength(2), OpaqueData |
///                  | ResponderVerifyData (H bytes, in the clear only) |
extension ResponderConnection {
    mutating func handleFinish(_ request: [UInt8], sessionID: UInt32) throws -> ([UInt8], SessionFollowUp) {
        // Validate
        guard var session = sessions[sessionID] else { throw ResponderError.unexpectedRequest("no session") }
        let hash = session.secrets.schedule.hash
        let header = try MessageHeader(peeking: request)
        let mutual = session.mutAuthRequested != 0
        guard header.param1 & 0x01 == 0 || mutual else {
            throw ResponderError.invalidRequest("FINISH with a signature, but mutual authentication was not requested")
        }
        guard header.param1 & 0x01 != 0 || !mutual else {
            throw ResponderError.invalidRequest("FINISH without the requester's signature, but mutual authentication was requested")
        }
        var identity: RequesterIdentity?
        var requesterAsym: SigningAlgorithm?
        if mutual {
            guard let known = session.requesterIdentity else {
                throw ResponderError.unexpectedRequest("FINISH before the requester's certificate chain was retrieved and verified")
            }
            guard let algorithm = try algorithms.requesterSigning else {
                throw ResponderError.unexpectedRequest("no requester signature algorithm negotiated")
            }
            guard header.param2 == known.slotID else {
                throw ResponderError.invalidRequest("FINISH ReqSlotID \(header.param2), expected \(known.slotID)")
            }
            identity = known
            requesterAsym = algorithm
        }
        let message = try FinishRequest(decoding: request, signatureSize: requesterAsym?.signatureSize ?? 0,
                                        verifyDataSize: hash.digestSize)
        var signedPart: [UInt8] = []
        message.encodeWithoutSignature(into: &signedPart)
        // Under mutual auth TH = A || Hash(Ct) || K || Hash(CertChain of requester) || FINISH header.
        var thFinish = session.transcript + (identity.map { Digest.hash(hash, $0.spdmChain) } ?? []) + signedPart
        if let identity, let requesterAsym {
            guard SigningContext.verify(key: identity.leafKey, algorithm: requesterAsym, hash: hash, version: session.version,
                                        context: SigningContext.finish, transcript: thFinish, signature: message.signature) else {
                throw ResponderError(.decryptError, "the requester's FINISH signature does not verify")
            }
            thFinish += message.signature
        }
        let expected = session.secrets.verifyData(requestDirection: true, transcriptHash: Digest.hash(hash, thFinish))
        guard constantTimeEquals(expected, message.verifyData) else {
            throw ResponderError(.decryptError, "FINISH RequesterVerifyData does not verify")
        }

        // Build: in the clear, FINISH_RSP carries ResponderVerifyData =
        // HMAC(response finished_key, Hash(TH || FINISH || FINISH_RSP header)).
        let response = FinishResponse(version: session.version)
        var bytes: [UInt8] = []
        response.encode(into: &bytes)
        let thResponse = thFinish + message.verifyData + bytes
        if handshakeInTheClear {
            bytes += session.secrets.verifyData(requestDirection: false, transcriptHash: Digest.hash(hash, thResponse))
        }

        // Update: TH2 covers FINISH and FINISH_RSP; the keys switch once FINISH_RSP is sealed.
        session.transcript = thFinish + message.verifyData + bytes
        session.awaitingFinish = false
        let th2Hash = Digest.hash(hash, session.transcript)
        sessions[sessionID] = session
        return (bytes, .establish(th2Hash: th2Hash))
    }

    /// FINISH in the clear belongs to the session the last KEY_EXCHANGE opened (libspdm's
    /// latest_session_id). The data keys apply at once: FINISH_RSP is not sealed. A FINISH that does
    /// not verify ends that session, as it does inside a session.
    mutating func handleFinishInTheClear(_ request: [UInt8]) throws -> [UInt8] {
        guard let sessionID = latestKeyExchangeSessionID, let session = sessions[sessionID], !session.usesPSK else {
            if let version, version >= .v12 { throw ResponderError(.sessionRequired, "FINISH without a KEY_EXCHANGE session") }
            throw ResponderError.unexpectedRequest("FINISH without a KEY_EXCHANGE session")
        }
        guard !session.established else { throw ResponderError.unexpectedRequest("FINISH for an established session") }
        do {
            let (bytes, followUp) = try handleFinish(request, sessionID: sessionID)
            if case .establish(let th2Hash) = followUp { sessions[sessionID]?.secrets.establish(th2Hash: th2Hash) }
            return bytes
        } catch let error as ResponderError where error.code == .decryptError {
            if let ended = sessions.removeValue(forKey: sessionID) { droppedRecordCount += ended.secrets.droppedRecords }
            throw error.keepingStateChanges
        }
    }

    /// The session whose encapsulated mutual-auth flow runs in the clear (handshake in the clear).
    var clearHandshakeFlowSessionID: UInt32? {
        guard handshakeInTheClear, case .session(let id)? = encapsulated?.purpose,
              let session = sessions[id], !session.established else { return nil }
        return id
    }
}
