import SPDMCore
import SPDMCrypto
import SPDMWire

/// The requester answering the responder's encapsulated GET_ENDPOINT_INFO (DSP0274 1.3, the
/// encapsulated request flow): our device class identifiers, and when the responder asks
/// for a signature (our EP_INFO_CAP 10b), our key's signature over
///
///     IL = A || GET_ENDPOINT_INFO || ENDPOINT_INFO without its Signature
///
/// with the context "requester-endpoint_info signing".
extension EncapsulatedResponder {
    mutating func endpointInfoResponse(_ request: [UInt8]) throws -> [UInt8] {
        guard version >= .v13, !ours.intersection([.endpointInfoNoSignature, .endpointInfoWithSignature]).isEmpty else {
            throw Refusal(code: .unsupportedRequest, data: RequestCode.getEndpointInfo.rawValue)
        }
        guard request.count >= GetEndpointInfoRequest.size,
              let message = try? GetEndpointInfoRequest(decoding: request, context: algorithms.wireContext),
              message.subCode == GetEndpointInfoRequest.subCodeDeviceClassIdentifier else {
            throw Refusal(code: .invalidRequest)
        }
        var response = EndpointInfoResponse(version: version, endpointInfo: endpointInfo.encoded)
        guard message.signatureRequested else { return response.encoded(context: algorithms.wireContext) }

        let (identity, hash) = try credentials(for: .getEndpointInfo, capability: .endpointInfoWithSignature)
        guard algorithms.requesterSigning == identity.algorithm else {
            throw Refusal(code: .unsupportedRequest, data: RequestCode.getEndpointInfo.rawValue)
        }
        guard message.slotID == identity.slotID else { throw Refusal(code: .invalidRequest) }
        response.slotID = identity.slotID
        response.nonce = random.bytes(32)
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        let signed = vca + request.prefix(message.encodedSize) + unsigned
        do {
            response.signature = try SigningContext.sign(key: identity.privateKey, algorithm: identity.algorithm, hash: hash,
                                                         version: version, context: SigningContext.mutualEndpointInfo, transcript: signed)
        } catch {
            throw Refusal(code: .unspecified)
        }
        return unsigned + response.signature
    }
}
