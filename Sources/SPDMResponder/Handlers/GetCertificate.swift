import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_CERTIFICATE -> CERTIFICATE (DSP0274 §10.7): one portion of a slot's SPDM chain.
///
/// The portion is what was asked and what is left. Without chunking it is also at most
/// `certificate_portion` and what fits DataTransferSize in one message. With chunking (both sides
/// CHUNK_CAP) it is only bounded by the requester's MaxSPDMmsgSize — Offset 0 and Length 0xFFFF get
/// the whole chain in one CERTIFICATE, as libspdm's requester expects then — and a CERTIFICATE over
/// DataTransferSize travels as a large response (CHUNK_GET). At 1.4 a device
/// with LARGE_RESP_CAP also serves the LargeCertChain form (32-bit offsets and lengths); a chain over
/// 65535 bytes asked for in the 16-bit form is ERROR(DataTooLarge) with its length.
extension ResponderConnection {
    mutating func handleGetCertificate(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        guard request.count >= GetCertificateRequest.size else {
            throw ResponderError.invalidRequest("GET_CERTIFICATE needs 8 bytes, got \(request.count)")
        }
        let message = try GetCertificateRequest(decoding: request, context: algorithms.wireContext)
        let large = message.large != nil
        if large && !device.capabilities.contains(.largeResponse) {
            throw ResponderError.unsupportedRequest(.getCertificate)
        }
        guard let slot = device.servedSlot(message.slotID, for: algorithms.signing) else {
            throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
        }
        let chain = slot.spdmChain(hash: hash)
        if !large && chain.count > Int(UInt16.max) {
            guard algorithms.version >= .v14 else {
                throw ResponderError.unspecified("the slot's \(chain.count)-byte chain does not fit RemainderLength")
            }
            var length: [UInt8] = []
            length.appendU32(UInt32(clamping: chain.count))
            throw ResponderError(.dataTooLarge, extendedData: length,
                                 "the slot's \(chain.count)-byte chain needs the LargeCertChain form")
        }
        // SlotSizeRequested (1.3+): Offset and Length are ignored, whatever they hold (DSP0274 1.3
        // Table "GET_CERTIFICATE request attributes"); the answer is PortionLength 0 and the size.
        let sizeOnly = message.attributes & GetCertificateRequest.slotSizeRequested != 0
        let offset = sizeOnly ? 0 : Int(message.range.offset)
        guard sizeOnly || offset < chain.count else {
            throw ResponderError.invalidRequest("offset \(offset) beyond the \(chain.count)-byte chain")
        }

        // Process: never more than asked, than is left, than the device sends, than fits.
        var portionLength = 0
        var remainder = chain.count
        if !sizeOnly {
            let headerSize = large ? 16 : 8
            var limit = device.certificatePortionLimit
            if chunkingNegotiated {
                limit = Int(peer.maxSPDMMessageSize) - headerSize
            } else if algorithms.version >= .v12 {
                let transferLimit = Int(min(peer.dataTransferSize, device.dataTransferSize)) - headerSize
                if transferLimit > 0 { limit = min(limit, transferLimit) }
            }
            portionLength = max(0, min(Int(message.range.length), chain.count - offset, limit))
            remainder = chain.count - offset - portionLength
        }

        // Build. CertificateInfo (the slot's CertModel) only on a multi-key connection (DSP0274 1.3
        // Table "CERTIFICATE response": reserved otherwise).
        let portion = Array(chain[offset..<offset + portionLength])
        let certificateInfo = algorithms.multiKeyConnectionResponder ? slot.certificateModel.rawValue : 0
        let response = large
            ? CertificateResponse(version: algorithms.version, slotID: message.slotID, certificateInfo: certificateInfo,
                                  largeRemainderLength: UInt32(clamping: remainder), portion: portion).encoded(context: algorithms.wireContext)
            : CertificateResponse(version: algorithms.version, slotID: message.slotID, certificateInfo: certificateInfo,
                                  remainderLength: UInt16(clamping: remainder), portion: portion).encoded(context: algorithms.wireContext)

        // Update
        transcript.appendB(Array(request.prefix(message.encodedSize)) + response)
        return response
    }
}
