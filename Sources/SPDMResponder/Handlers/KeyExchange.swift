import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// KEY_EXCHANGE -> KEY_EXCHANGE_RSP (DSP0274 §10.15): ephemeral DHE or, at 1.4, a KEM (the requester's
/// encapsulation key in, the ciphertext out; `KeyExchangeMechanism`), the signature over
/// TH = A (|| D) || Hash(Ct) || KEY_EXCHANGE || KEY_EXCHANGE_RSP (to the signature), handshake keys from
/// TH1 (the same transcript with the signature) and the responder verify data HMAC(finished_key, TH1)
/// — unless both sides have HANDSHAKE_IN_THE_CLEAR_CAP, when it comes in FINISH_RSP instead.
extension ResponderConnection {
    mutating func handleKeyExchange(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let (schedule, algorithms, hash) = try sessionSchedule()
        guard algorithms.version >= .v11 else { throw ResponderError.unsupportedRequest(.keyExchange) }
        guard peer.flags.contains(.keyEx) else { throw ResponderError.unsupportedRequest(.keyExchange) }
        guard let mechanism = KeyExchangeMechanism(algorithms) else {
            throw ResponderError.unexpectedRequest("neither a DHE group nor a KEM negotiated")
        }
        let message = try KeyExchangeRequest(decoding: request, exchangeDataSize: mechanism.requestExchangeDataSize)
        guard let slot = device.signingSlot(message.slotID, for: algorithms.signing) else {
            throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
        }
        try requireKeyUsage(.keyExchange, of: slot, algorithms: algorithms)
        let summary = try measurementSummary(message.summaryHashType, hash: hash, version: algorithms.version)
        let encrypt = try sessionEncrypts()
        let opaque = try securedMessageVersionSelection(message.opaqueData, version: algorithms.version)
        let sessionID = try allocateResponderSessionID(requesterSessionID: message.requesterSessionID)
        let (mutAuth, requesterIdentity, flow) = mutualAuthForKeyExchange(algorithms: algorithms, sessionID: sessionID)
        let events = try eventsForNewSession(policy: message.sessionPolicy, version: algorithms.version)

        // Process
        var (exchangeData, sharedSecret): ([UInt8], [UInt8])
        do {
            (exchangeData, sharedSecret) = try mechanism.respond(toRequesterExchangeData: message.exchangeData)
        } catch {
            throw ResponderError.invalidRequest("\(mechanism) exchange failed: \(error)")
        }
        defer { secureZero(&sharedSecret) }
        var response = KeyExchangeResponse(
            version: algorithms.version, heartbeatPeriod: heartbeatPeriodForNewSession(),
            responderSessionID: UInt16(sessionID >> 16), mutAuthRequested: mutAuth,
            // ReqSlotIDParam is 4 bits: a requester raw public key (ReqSlotID 0xFF) is 0xF.
            slotIDParam: mutAuth == 0x01 ? (requesterIdentity?.slotID ?? 0) & 0x0F : 0,
            randomData: randomBytes(32), exchangeData: exchangeData,
            measurementSummaryHash: summary, opaqueData: opaque)

        // Build: sign TH, then derive the handshake keys from TH1 and append the verify data.
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        // On a multi-key connection message D joins TH between A and the chain hash (DSP0274 1.3 §15).
        let messageD = algorithms.multiKeyConnectionResponder ? transcript.messageD : []
        var th = transcript.vca + messageD + Digest.hash(hash, slot.spdmChain(hash: hash)) + Array(request.prefix(message.encodedSize)) + unsigned
        response.signature = try sign(th, with: slot, context: SigningContext.keyExchangeResponse)
        th += response.signature
        let th1Hash = Digest.hash(hash, th)
        let secrets = SessionSecrets(schedule: schedule, role: .responder, encrypt: encrypt, dheSecret: sharedSecret, th1Hash: th1Hash)
        // With the handshake in the clear, ResponderVerifyData moves to FINISH_RSP (§10.15).
        if !handshakeInTheClear {
            response.verifyData = secrets.verifyData(requestDirection: false, transcriptHash: th1Hash)
            th += response.verifyData
        }
        let bytes = unsigned + response.signature + response.verifyData

        // Update
        sessions[sessionID] = ResponderSession(id: sessionID, usesPSK: false, secrets: secrets, transcript: th,
                                               awaitingFinish: true, version: algorithms.version,
                                               heartbeatPeriod: response.heartbeatPeriod,
                                               mutAuthRequested: mutAuth, requesterIdentity: requesterIdentity)
        sessions[sessionID]?.events = events
        if let flow { encapsulated = flow }
        latestKeyExchangeSessionID = sessionID
        return bytes
    }

    /// Both sides have HANDSHAKE_IN_THE_CLEAR_CAP: FINISH and FINISH_RSP (and any encapsulated
    /// mutual-auth exchange before them) travel in the clear, not under the handshake keys.
    public var handshakeInTheClear: Bool {
        device.capabilities.contains(.handshakeInTheClear) && peer.flags.contains(.handshakeInTheClear)
    }

    /// MutAuthRequested for a new session: the device's mode when both sides have MUT_AUTH_CAP (and
    /// ENCAP_CAP for the encapsulated modes) and a requester algorithm was negotiated; bit 0 also
    /// needs a provisioned requester chain. Otherwise no mutual authentication.
    private func mutualAuthForKeyExchange(algorithms: NegotiatedAlgorithms, sessionID: UInt32)
        -> (UInt8, RequesterIdentity?, EncapsulatedFlow?) {
        let requested = device.mutualAuth.keyExchangeRequest
        guard requested != 0, device.capabilities.contains(.mutAuth), peer.flags.contains(.mutAuth),
              algorithms.requesterSigning != nil else { return (0, nil, nil) }
        if requested == 0x01 {
            guard let identity = provisionedRequesterPublicKey(algorithms: algorithms)
                    ?? provisionedRequesterIdentity(algorithms: algorithms) else { return (0, nil, nil) }
            return (requested, identity, nil)
        }
        guard device.capabilities.contains(.encap), peer.flags.contains(.encap) else { return (0, nil, nil) }
        var flow = EncapsulatedFlow(purpose: .session(sessionID), remaining: [.getDigests, .getCertificate])
        if requested == 0x04 {
            // Optimized flow: the requester delivers DIGESTS (RequestID 0) without GET_ENCAPSULATED_REQUEST.
            flow.remaining = [.getCertificate]
            flow.current = .getDigests
            MessageHeader(version: algorithms.version, code: RequestCode.getDigests.rawValue).encode(into: &flow.currentRequest)
        }
        return (requested, nil, flow)
    }
}
