import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_ENDPOINT_INFO -> ENDPOINT_INFO (DSP0274 1.3, EP_INFO_CAP), in the clear or in a session: the
/// device class identifiers (`ResponderDevice.endpointInfo`), signed when asked (EP_INFO_CAP 10b)
/// with the slot's key over
///
///     IL = A (VCA) || GET_ENDPOINT_INFO || ENDPOINT_INFO without its Signature
///
/// and the context "responder-endpoint_info signing", as libspdm's responder and requester compute
/// it (in a session too: A, not the session transcript). Nothing is kept between requests.
extension ResponderConnection {
    mutating func handleGetEndpointInfo(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard request.count >= GetEndpointInfoRequest.size else {
            throw ResponderError.invalidRequest("GET_ENDPOINT_INFO needs \(GetEndpointInfoRequest.size) bytes, got \(request.count)")
        }
        let message = try GetEndpointInfoRequest(decoding: request, context: algorithms.wireContext)
        guard message.subCode == GetEndpointInfoRequest.subCodeDeviceClassIdentifier else {
            throw ResponderError.invalidRequest("GET_ENDPOINT_INFO SubCode \(message.subCode)")
        }
        var slot: ServedSlot? = nil
        if message.signatureRequested {
            guard device.capabilities.contains(.endpointInfoWithSignature) else { throw ResponderError.unsupportedRequest(.getEndpointInfo) }
            guard message.slotID != GetEndpointInfoRequest.publicKeySlot else {
                throw ResponderError.invalidRequest("no provisioned public key (SlotID 0xF)")
            }
            guard let chosen = device.servedSlot(message.slotID, for: algorithms.signing) else {
                throw ResponderError.invalidRequest("slot \(message.slotID) holds no certificate chain")
            }
            try requireKeyUsage(.endpointInfo, of: chosen, algorithms: algorithms)
            slot = chosen
        }

        // Process
        var response = EndpointInfoResponse(version: algorithms.version, slotID: slot?.id ?? 0,
                                            nonce: slot == nil ? [] : randomBytes(32), endpointInfo: device.endpointInfo.encoded)

        // Build
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        if let slot {
            let signed = transcript.vca + request.prefix(message.encodedSize) + unsigned
            response.signature = try sign(signed, with: slot, context: SigningContext.endpointInfo)
        }
        return unsigned + response.signature
    }
}
