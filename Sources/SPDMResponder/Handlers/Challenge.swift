import SPDMCore
import SPDMCrypto
import SPDMWire

/// CHALLENGE -> CHALLENGE_AUTH (DSP0274 §10.8): proves possession of the slot's key by signing M1/M2.
extension ResponderConnection {
    mutating func handleChallenge(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash, algorithms.signing != nil else {
            throw ResponderError.unexpectedRequest("no hash/asym negotiated")
        }
        let size = ChallengeRequest.expectedSize(algorithms.version)
        guard request.count >= size else { throw ResponderError.invalidRequest("CHALLENGE needs \(size) bytes, got \(request.count)") }
        let message = try ChallengeRequest(decoding: request, context: algorithms.wireContext)
        guard message.summaryHashType.isValid else {
            throw ResponderError.invalidRequest("MeasurementSummaryHashType \(message.summaryHashType.rawValue)")
        }
        if message.summaryHashType != .none && device.capabilities.intersection(.measurementsAny).isEmpty {
            throw ResponderError.invalidRequest("measurement summary hash asked of a device without MEAS_CAP")
        }
        guard let slot = device.signingSlot(message.slotID, for: algorithms.signing) else {
            throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
        }
        try requireKeyUsage(.challenge, of: slot, algorithms: algorithms)

        // Process
        let requestBytes = Array(request.prefix(size))
        let summary = MeasurementSummary.hash(
            blocks: device.measurements.blocks(device.measurements.entries, hash: algorithms.measurementHash, rawRequested: false),
            tcbIndices: device.measurements.tcbIndices, type: message.summaryHashType, version: algorithms.version, hash: hash)
        // Basic mutual authentication (SPDM 1.1 only): the requester then runs the encapsulated flow.
        let basicMutualAuth = device.mutualAuth.mode == .basic && algorithms.version == .v11
            && device.capabilities.isSuperset(of: [.mutAuth, .encap]) && peer.flags.isSuperset(of: [.mutAuth, .encap, .cert])
            && algorithms.requesterSigning != nil
        var response = ChallengeAuthResponse(
            version: algorithms.version, slotID: message.slotID & 0x0F, basicMutualAuthRequested: basicMutualAuth,
            // SlotID 0xFF (raw public key): Param1 0xF and no slot mask.
            slotMask: message.slotID == ResponderDevice.rawPublicKeySlotID ? 0 : device.servedSlotMask,
            certChainHash: Digest.hash(hash, slot.spdmChain(hash: hash)), nonce: randomBytes(32),
            measurementSummaryHash: summary, opaqueData: [], requesterContext: message.requesterContext)

        // Build: sign A || B || CHALLENGE || CHALLENGE_AUTH-without-signature.
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        let signed = transcript.challengeTranscript(request: requestBytes, responseWithoutSignature: unsigned)
        response.signature = try sign(signed, with: slot, context: SigningContext.challengeAuth)
        let bytes = unsigned + response.signature

        // Update: the connection is authenticated; B and C start over.
        state = .authenticated
        transcript.resetBC()
        if basicMutualAuth {
            encapsulated = EncapsulatedFlow(purpose: .basic, remaining: [.getDigests, .getCertificate, .challenge])
        }
        return bytes
    }
}
