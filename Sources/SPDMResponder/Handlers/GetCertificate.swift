import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_CERTIFICATE -> CERTIFICATE (DSP0274 §10.7): one portion of a slot's SPDM chain.
extension ResponderConnection {
    mutating func handleGetCertificate(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        guard request.count >= GetCertificateRequest.size else {
            throw ResponderError.invalidRequest("GET_CERTIFICATE needs 8 bytes, got \(request.count)")
        }
        let message = try GetCertificateRequest(decoding: request, context: algorithms.wireContext)
        guard let slot = device.servedSlot(message.slotID) else {
            throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
        }
        let chain = slot.spdmChain(hash: hash)
        // SlotSizeRequested (1.3+): Offset and Length are ignored, whatever they hold (DSP0274 1.3
        // Table "GET_CERTIFICATE request attributes"); the answer is PortionLength 0 and the size.
        let sizeOnly = message.attributes & GetCertificateRequest.slotSizeRequested != 0
        let offset = sizeOnly ? 0 : Int(message.offset)
        guard sizeOnly || offset < chain.count else {
            throw ResponderError.invalidRequest("offset \(offset) beyond the \(chain.count)-byte chain")
        }
        guard chain.count <= Int(UInt16.max) else {
            throw ResponderError.unspecified("the slot's \(chain.count)-byte chain does not fit RemainderLength")
        }

        // Process: never more than asked, than is left, than fits.
        var portionLength = 0
        var remainder = chain.count
        if !sizeOnly {
            var limit = device.certificatePortionLimit
            if algorithms.version >= .v12 {
                let transferLimit = Int(min(peer.dataTransferSize, device.dataTransferSize)) - 8
                if transferLimit > 0 { limit = min(limit, transferLimit) }
            }
            portionLength = min(Int(message.length), chain.count - offset, limit)
            remainder = chain.count - offset - portionLength
        }

        // Build. CertificateInfo (the slot's CertModel) only on a multi-key connection (DSP0274 1.3
        // Table "CERTIFICATE response": reserved otherwise).
        let response = CertificateResponse(
            version: algorithms.version, slotID: message.slotID,
            certificateInfo: algorithms.multiKeyConnectionResponder ? slot.certificateModel.rawValue : 0,
            remainderLength: UInt16(remainder), portion: Array(chain[offset..<offset + portionLength])
        ).encoded(context: algorithms.wireContext)

        // Update
        transcript.appendB(Array(request.prefix(GetCertificateRequest.size)) + response)
        return response
    }
}
