import SPDMCore
import SPDMCrypto
import SPDMWire

/// One GET_ENDPOINT_INFO (DSP0274 1.3): SubCode 1 (device class identifiers), signed by `slot`'s key
/// when `signed`.
public struct EndpointInfoRequest: Sendable, Hashable {
    public var signed: Bool
    public var slot: UInt8

    public init(signed: Bool, slot: UInt8 = 0) {
        self.signed = signed
        self.slot = slot
    }
}

/// A checked ENDPOINT_INFO.
public struct EndpointInfoResult: Sendable {
    public var slot: UInt8
    /// The EPInfo bytes.
    public var endpointInfo: [UInt8]
    /// The EPInfo parsed as device class identifiers (nil when it is not in that format).
    public var identifiers: DeviceClassIdentifier?
    /// True when the response was signed and its signature verified over IL.
    public var signatureVerified: Bool
}

/// GET_ENDPOINT_INFO -> ENDPOINT_INFO: a signed response is checked with the slot's verified leaf
/// key over IL = A || GET_ENDPOINT_INFO || ENDPOINT_INFO without its Signature, context
/// "responder-endpoint_info signing" (DSP0274 1.3 signing context of ENDPOINT_INFO).
extension RequesterConnection {
    func startGetEndpointInfo(_ request: EndpointInfoRequest, pending: inout Pending) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getEndpointInfo)
        guard algorithms.version >= .v13 else { throw RequesterError.invalidState("GET_ENDPOINT_INFO needs SPDM 1.3, negotiated \(algorithms.version)") }
        try requireResponder([.endpointInfoNoSignature, .endpointInfoWithSignature], "EP_INFO_CAP for GET_ENDPOINT_INFO")
        guard request.signed else { return GetEndpointInfoRequest(version: algorithms.version).encoded(context: algorithms.wireContext) }
        try requireResponder(.endpointInfoWithSignature, "EP_INFO_CAP with signature for a signed GET_ENDPOINT_INFO")
        guard request.slot < 8 else { throw RequesterError.invalidState("slot \(request.slot) is not 0-7") }
        pending.nonce = randomBytes(32)
        return GetEndpointInfoRequest(version: algorithms.version, slotID: request.slot, attributes: .signatureRequested, nonce: pending.nonce)
            .encoded(context: algorithms.wireContext)
    }

    mutating func receiveEndpointInfo(_ response: [UInt8], request: EndpointInfoRequest, pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        var context = algorithms.wireContext
        if !request.signed { context.signatureSize = 0 }
        let message = try decode(pending.code) { try EndpointInfoResponse(decoding: response, context: context, signed: request.signed) }
        var unsignedEncoding: [UInt8] = []
        message.encodeWithoutSignature(into: &unsignedEncoding)
        let bytes = try exact(response, length: unsignedEncoding.count + message.signature.count, code: pending.code)
        let expectedSlot = request.signed ? request.slot : 0
        guard message.slotID == expectedSlot else {
            throw RequesterError.slotMismatch(request: pending.code, expected: expectedSlot, got: message.slotID)
        }
        if request.signed {
            guard let hash = algorithms.hash, let asym = algorithms.signing else {
                throw RequesterError.negotiationFailed("a signed ENDPOINT_INFO needs a negotiated hash and asymmetric algorithm")
            }
            guard let chain = chains[request.slot] else { throw RequesterError.noCertificateChain(slot: request.slot) }
            let il = transcript.vca + pending.request + bytes.prefix(unsignedEncoding.count)
            guard SigningContext.verify(key: chain.leaf.publicKey, algorithm: asym, hash: hash, version: algorithms.version,
                                        context: SigningContext.endpointInfo, transcript: il, signature: message.signature) else {
                throw RequesterError.endpointInfoSignatureInvalid(slot: request.slot)
            }
        }
        return .completed(.endpointInfo(EndpointInfoResult(
            slot: message.slotID, endpointInfo: message.endpointInfo,
            identifiers: try? DeviceClassIdentifier(decoding: message.endpointInfo), signatureVerified: request.signed)))
    }
}

extension RequesterConnection {
    /// GET_ENDPOINT_INFO inside an established session (IL still begins with A, as libspdm).
    public mutating func getEndpointInfo(_ request: EndpointInfoRequest, session: inout RequesterSession,
                                         via send: SecuredExchange) throws -> EndpointInfoResult {
        try requireEstablished(session, .getEndpointInfo)
        let event = try perform(.getEndpointInfo(request)) { message in
            try session.exchange(message, code: .getEndpointInfo, via: send)
        }
        guard case .endpointInfo(let result) = event else { throw RequesterError.invalidState("unexpected event for GET_ENDPOINT_INFO") }
        return result
    }
}
