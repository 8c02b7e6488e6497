import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_DIGESTS -> DIGESTS (DSP0274 §10.6): the hash of each provisioned slot's SPDM chain.
extension ResponderConnection {
    mutating func handleGetDigests(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        _ = try GetDigestsRequest(decoding: request, context: algorithms.wireContext)

        // Process + build
        let digests = device.slots.map { Digest.hash(hash, $0.spdmChain(hash: hash)) }
        let response = DigestsResponse(version: algorithms.version, supportedSlotMask: device.supportedSlotMask,
                                       provisionedSlotMask: device.provisionedSlotMask, digests: digests)
            .encoded(context: algorithms.wireContext)

        // Update
        transcript.appendB(Array(request.prefix(MessageHeader.size)) + response)
        return response
    }
}
