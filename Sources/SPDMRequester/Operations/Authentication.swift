import SPDMCore
import SPDMCrypto
import SPDMWire

/// CHALLENGE (DSP0274 §10.8) and GET_MEASUREMENTS (§10.11): the signed responses, verified with the
/// leaf key of the slot's verified chain over M1 / L1, built by the same `Transcript` rules the
/// responder follows.
extension RequesterConnection {
    // MARK: CHALLENGE -> CHALLENGE_AUTH

    func startChallenge(slot: UInt8, summary: MeasurementSummaryHashType, pending: inout Pending) throws -> [UInt8] {
        let algorithms = try algorithms(for: .challenge)
        try requireResponder(.chal, "CHAL_CAP for CHALLENGE")
        guard summary.isValid else { throw RequesterError.invalidState("MeasurementSummaryHashType 0x\(String(summary.rawValue, radix: 16))") }
        if summary != .none { try requireResponder(.measurementsAny, "MEAS_CAP for a measurement summary hash") }
        guard chains[slot] != nil else { throw RequesterError.noCertificateChain(slot: slot) }
        pending.nonce = randomBytes(32)
        pending.requesterContext = algorithms.version >= .v13 ? randomBytes(8) : []
        return ChallengeRequest(version: algorithms.version, slotID: slot, summaryHashType: summary, nonce: pending.nonce,
                                requesterContext: pending.requesterContext)
            .encoded(context: algorithms.wireContext)
    }

    mutating func receiveChallengeAuth(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        guard case let .challenge(slot, summary) = pending.operation else { throw RequesterError.invalidState("not a CHALLENGE") }
        guard let hash = algorithms.hash, let asym = algorithms.signing else {
            throw RequesterError.negotiationFailed("CHALLENGE needs a negotiated hash and asymmetric algorithm")
        }
        guard let chain = chains[slot] else { throw RequesterError.noCertificateChain(slot: slot) }
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let message = try decode(pending.code) {
            try ChallengeAuthResponse(decoding: response, context: algorithms.wireContext, summaryHashPresent: summary != .none)
        }
        var unsignedEncoding: [UInt8] = []
        message.encodeWithoutSignature(into: &unsignedEncoding)
        let bytes = try exact(response, length: unsignedEncoding.count + message.signature.count, code: pending.code)
        let unsigned = Array(bytes.prefix(unsignedEncoding.count))

        // SlotID 0xFF (raw public key) comes back as Param1 0xF with no slot mask.
        guard message.slotID == slot & 0x0F else { throw RequesterError.slotMismatch(request: pending.code, expected: slot, got: message.slotID) }
        guard slot == 0xFF ? message.slotMask == 0 : message.slotMask & (1 << slot) != 0 else {
            throw RequesterError.malformedResponse(request: pending.code, reason: "SlotMask 0x\(String(message.slotMask, radix: 16)) lacks slot \(slot)")
        }
        guard message.certChainHash == Digest.hash(hash, chain.spdmChain) else { throw RequesterError.certChainHashMismatch(slot: slot) }
        guard message.requesterContext == pending.requesterContext else {
            throw RequesterError.requesterContextMismatch(request: pending.code)
        }
        // M1 = A || B || C: the requester's own nonce is inside CHALLENGE, so a valid signature proves freshness.
        let m1 = transcript.challengeTranscript(request: pending.request, responseWithoutSignature: unsigned)
        guard SigningContext.verify(key: chain.leafKey, algorithm: asym, hash: hash, version: algorithms.version,
                                    context: SigningContext.challengeAuth, transcript: m1, signature: message.signature) else {
            throw RequesterError.challengeAuthSignatureInvalid(slot: slot)
        }
        authenticated = true
        transcript.resetBC()
        return .completed(.challengeAuth(ChallengeResult(
            slot: slot, slotMask: message.slotMask, certChainHash: message.certChainHash, nonce: message.nonce,
            summaryType: summary, measurementSummaryHash: message.measurementSummaryHash, opaqueData: message.opaqueData,
            basicMutualAuthRequested: message.basicMutualAuthRequested)))
    }

    // MARK: GET_MEASUREMENTS -> MEASUREMENTS

    func startGetMeasurements(_ request: MeasurementRequest, pending: inout Pending) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getMeasurements)
        try requireResponder(request.signed ? .measWithSignature : .measurementsAny,
                             request.signed ? "MEAS_CAP with signature for signed GET_MEASUREMENTS" : "MEAS_CAP for GET_MEASUREMENTS")
        if request.signed {
            guard chains[request.slot] != nil else { throw RequesterError.noCertificateChain(slot: request.slot) }
            guard algorithms.version >= .v11 || request.slot == 0 else {
                throw RequesterError.invalidState("SPDM 1.0 GET_MEASUREMENTS has no SlotIDParam: only slot 0")
            }
        }
        var attributes: GetMeasurementsRequest.Attributes = []
        if request.signed { attributes.insert(.signatureRequested) }
        if request.rawBitStream && algorithms.version >= .v12 { attributes.insert(.rawBitStreamRequested) }
        pending.nonce = request.signed ? randomBytes(32) : []
        pending.requesterContext = algorithms.version >= .v13 ? randomBytes(8) : []
        return GetMeasurementsRequest(version: algorithms.version, attributes: attributes, operation: request.operation,
                                      nonce: pending.nonce, slotID: request.slot, requesterContext: pending.requesterContext)
            .encoded(context: algorithms.wireContext)
    }

    mutating func receiveMeasurements(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        guard case .getMeasurements(let request) = pending.operation else { throw RequesterError.invalidState("not GET_MEASUREMENTS") }
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        var context = algorithms.wireContext
        if !request.signed { context.signatureSize = 0 }
        let message = try decode(pending.code) {
            try MeasurementsResponse(decoding: response, context: context, signed: request.signed)
        }
        var unsignedEncoding: [UInt8] = []
        message.encodeWithoutSignature(into: &unsignedEncoding)
        let bytes = try exact(response, length: unsignedEncoding.count + message.signature.count, code: pending.code)
        let unsigned = Array(bytes.prefix(unsignedEncoding.count))

        // The blocks must be what was asked for.
        var totalCount: Int? = nil
        switch request.operation {
        case GetMeasurementsRequest.operationTotalCount:
            guard message.blocks.isEmpty else { throw RequesterError.measurementMismatch("a total-count response carries \(message.blocks.count) blocks") }
            totalCount = Int(message.totalMeasurementCount)
        case GetMeasurementsRequest.operationAll:
            let indices = message.blocks.map(\.index)
            guard Set(indices).count == indices.count else { throw RequesterError.measurementMismatch("an index appears twice") }
            guard !indices.contains(0), !indices.contains(0xFF) else { throw RequesterError.measurementMismatch("block index 0 or 0xFF") }
        default:
            guard message.blocks.count == 1, message.blocks[0].index == request.operation else {
                throw RequesterError.measurementMismatch("asked for index \(request.operation), got indices \(message.blocks.map(\.index))")
            }
        }
        for block in message.blocks {
            guard block.specification & MeasurementSpecification.dmtf.rawValue != 0 else {
                throw RequesterError.measurementMismatch("block \(block.index) is not a DMTF measurement")
            }
            if !block.isRawBitStream {
                guard let measurementHash = algorithms.measurementHash else {
                    throw RequesterError.measurementMismatch("block \(block.index) is a digest, but raw bit streams only were negotiated")
                }
                guard block.value.count == measurementHash.digestSize else {
                    throw RequesterError.measurementMismatch("block \(block.index) digest is \(block.value.count) bytes, \(measurementHash.rawValue) makes \(measurementHash.digestSize)")
                }
            }
        }
        guard message.requesterContext == pending.requesterContext else {
            throw RequesterError.requesterContextMismatch(request: pending.code)
        }

        if request.signed {
            guard let hash = algorithms.hash, let asym = algorithms.signing else {
                throw RequesterError.negotiationFailed("signed measurements need a negotiated hash and asymmetric algorithm")
            }
            guard let chain = chains[request.slot] else { throw RequesterError.noCertificateChain(slot: request.slot) }
            if algorithms.version >= .v11, message.slotID != request.slot & 0x0F {
                throw RequesterError.slotMismatch(request: pending.code, expected: request.slot, got: message.slotID)
            }
            let l1 = transcript.measurementTranscript(version: algorithms.version, request: pending.request, responseWithoutSignature: unsigned)
            guard SigningContext.verify(key: chain.leafKey, algorithm: asym, hash: hash, version: algorithms.version,
                                        context: SigningContext.measurements, transcript: l1, signature: message.signature) else {
                throw RequesterError.measurementsSignatureInvalid(slot: request.slot)
            }
            transcript.resetM()
        } else {
            transcript.appendM(pending.request + bytes)
        }
        return .completed(.measurements(MeasurementsResult(
            request: request, totalCount: totalCount, blocks: message.blocks, contentChanged: message.contentChanged,
            nonce: message.nonce, opaqueData: message.opaqueData, signatureVerified: request.signed)))
    }
}
