import SPDMCore
import SPDMCrypto
import SPDMWire

/// The responder's GET_ENDPOINT_INFO to the requester (DSP0274 1.3, over the encapsulated request
/// flow of §10.14). The platform command OOB_ENCAP_ENDPOINT_INFO arms it; the requester's next
/// GET_ENCAPSULATED_REQUEST, in the clear or in an established session, takes it there:
///
///     Requester                                    Responder
///     GET_ENCAPSULATED_REQUEST             ->
///                                          <-      ENCAPSULATED_REQUEST { GET_ENDPOINT_INFO }
///     DELIVER_ENCAPSULATED_RESPONSE
///       { ENDPOINT_INFO }                  ->
///                                          <-      ENCAPSULATED_RESPONSE_ACK (no request: done)
///
/// A signature is asked for when the requester has EP_INFO_CAP 10b and a requester algorithm was
/// negotiated; it is checked with the requester's key over IL = A || GET_ENDPOINT_INFO ||
/// ENDPOINT_INFO without its Signature, context "requester-endpoint_info signing" (as libspdm). The
/// key is the one the session's or the connection's mutual authentication verified, or a
/// provisioned requester chain; with none known, the flow first fetches and verifies the requester's
/// chain (encapsulated GET_DIGESTS and GET_CERTIFICATE, as for mutual authentication).
extension ResponderConnection {
    /// Arms the encapsulated GET_ENDPOINT_INFO (the OOB_ENCAP_ENDPOINT_INFO platform command). False,
    /// and nothing changes, unless the connection negotiated 1.3+, both sides have ENCAP_CAP, the
    /// requester has EP_INFO_CAP, and no other encapsulated flow is in progress.
    public mutating func armEncapsulatedEndpointInfo() -> Bool {
        guard let negotiated, negotiated.version >= .v13, device.capabilities.contains(.encap), peer.flags.contains(.encap),
              !peer.flags.intersection([.endpointInfoNoSignature, .endpointInfoWithSignature]).isEmpty else {
            return false
        }
        if let flow = encapsulated, flow.current != nil || !flow.remaining.isEmpty || flow.purpose == .armedEndpointInfo { return false }
        encapsulated = EncapsulatedFlow(purpose: .armedEndpointInfo, remaining: [])
        return true
    }

    /// Binds an armed flow to the place of the GET_ENCAPSULATED_REQUEST that takes it (the clear, or
    /// an established session) and plans its requests.
    func bindEndpointInfoFlow(_ flow: inout EncapsulatedFlow, sessionID: UInt32?, algorithms: NegotiatedAlgorithms) throws {
        var identity = requesterIdentity ?? provisionedRequesterIdentity(algorithms: algorithms)
        if let sessionID {
            guard let session = sessions[sessionID], session.established else { throw noPendingEncapsulatedRequest(algorithms.version) }
            identity = session.requesterIdentity ?? identity
        }
        let signed = peer.flags.contains(.endpointInfoWithSignature) && algorithms.requesterSigning != nil
            && (identity != nil || peer.flags.contains(.cert))
        flow.purpose = .endpointInfo(sessionID)
        flow.endpointInfoSigned = signed
        flow.identity = signed ? identity : nil
        flow.slotID = flow.identity?.slotID ?? 0
        flow.remaining = signed && identity == nil ? [.getDigests, .getCertificate, .getEndpointInfo] : [.getEndpointInfo]
    }

    /// The GET_ENDPOINT_INFO of `flow`: SubCode 1, and when signed the requester slot and a fresh nonce.
    func endpointInfoRequest(_ flow: EncapsulatedFlow, version: SPDMVersion) -> GetEndpointInfoRequest {
        guard flow.endpointInfoSigned else { return GetEndpointInfoRequest(version: version) }
        return GetEndpointInfoRequest(version: version, slotID: flow.slotID, attributes: .signatureRequested, nonce: randomBytes(32))
    }

    /// Checks the requester's ENDPOINT_INFO (and its signature when one was asked) and keeps its EPInfo.
    func checkEncapsulatedEndpointInfo(_ response: [UInt8], flow: inout EncapsulatedFlow, algorithms: NegotiatedAlgorithms,
                                       fail: (String) -> ResponderError) throws {
        guard let request = flow.endpointInfoRequest else { throw fail("no GET_ENDPOINT_INFO outstanding") }
        let header = try MessageHeader(peeking: response)
        guard header.code == ResponseCode.endpointInfo.rawValue else { throw fail("got response code 0x\(String(header.code, radix: 16))") }
        guard request.signatureRequested else {
            let message = try EndpointInfoResponse(decoding: response, context: algorithms.wireContext, signed: false)
            guard message.slotID == 0 else { throw fail("SlotID \(message.slotID) in an unsigned ENDPOINT_INFO") }
            flow.requesterEndpointInfo = message.endpointInfo
            return
        }
        guard let hash = algorithms.hash, let asym = algorithms.requesterSigning, let identity = flow.identity else {
            throw fail("no verified requester key for the signature")
        }
        let context = WireContext(version: algorithms.version, hashSize: hash.digestSize, signatureSize: asym.signatureSize)
        let message = try EndpointInfoResponse(decoding: response, context: context, signed: true)
        guard message.slotID == request.slotID else { throw fail("ENDPOINT_INFO for slot \(message.slotID), asked \(request.slotID)") }
        var unsigned: [UInt8] = []
        message.encodeWithoutSignature(into: &unsigned)
        let signed = transcript.vca + request.encoded(context: context) + response.prefix(unsigned.count)
        guard SigningContext.verify(key: identity.leafKey, algorithm: asym, hash: hash, version: algorithms.version,
                                    context: SigningContext.mutualEndpointInfo, transcript: signed, signature: message.signature) else {
            throw fail("the requester's ENDPOINT_INFO signature does not verify")
        }
        flow.requesterEndpointInfo = message.endpointInfo
    }
}
