import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_DIGESTS -> DIGESTS (DSP0274 §10.6): the hash of each served slot's SPDM chain; on a 1.3
/// multi-key connection also each slot's KeyPairID, CertificateInfo and KeyUsageMask, and the first
/// DIGESTS in the clear becomes message D of the transcript.
extension ResponderConnection {
    mutating func handleGetDigests(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        _ = try GetDigestsRequest(decoding: request, context: algorithms.wireContext)
        // A chain install or erase acknowledged with ResetRequired is neither old nor new until the
        // reset (libspdm answers DIGESTS the same way).
        if algorithms.version >= .v12 && (!device.provisioned.pendingReset.installedChains.isEmpty
                                          || !device.provisioned.pendingReset.erasedSlots.isEmpty) {
            throw ResponderError(.resetRequired, "a certificate install waits for the device reset")
        }
        let slots = device.servedSlots(for: algorithms.signing)
        guard !slots.isEmpty else { throw ResponderError.unspecified("no slot holds a certificate chain") }

        // Process + build
        let multiKey = algorithms.multiKeyConnectionResponder
        let response = DigestsResponse(
            version: algorithms.version, supportedSlotMask: device.servedSupportedSlotMask, provisionedSlotMask: device.servedSlotMask,
            digests: slots.map { Digest.hash(hash, $0.spdmChain(hash: hash)) },
            keyPairIDs: multiKey ? slots.map(\.keyPairID) : [],
            certificateInfos: multiKey ? slots.map(\.certificateModel.rawValue) : [],
            keyUsageMasks: multiKey ? slots.map(\.keyUsage) : []
        ).encoded(context: algorithms.wireContext)

        // Update
        transcript.appendB(Array(request.prefix(MessageHeader.size)) + response)
        if multiKey { transcript.recordD(response) }
        return response
    }
}
