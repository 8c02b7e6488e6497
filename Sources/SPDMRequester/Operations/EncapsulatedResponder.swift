import SPDMCore
import SPDMCrypto
import SPDMWire

/// The requester answering the responder's encapsulated requests (DSP0274 §10.14), the mirror of
/// the responder's handlers and of libspdm's libspdm_req_encap_*.c:
///
///     GET_DIGESTS      -> DIGESTS of our one slot                    (appended to message MutB)
///     GET_CERTIFICATE  -> CERTIFICATE portion of our SPDM chain      (appended to message MutB)
///     CHALLENGE        -> CHALLENGE_AUTH signed over (1.2+: A ||) MutB || MutC with the context
///                         "requester-challenge_auth signing"         (MutC = CHALLENGE || CHALLENGE_AUTH
///                                                                     without the signature)
///     GET_ENDPOINT_INFO -> ENDPOINT_INFO with our device class identifiers, signed when asked
///                         (EncapsulatedEndpointInfo.swift)
///     KEY_UPDATE       -> KEY_UPDATE_ACK, established sessions only: UpdateKey moves our receive key
///                         once the ACK is sealed, VerifyNewKey confirms it; UpdateAllKeys is refused
///     SEND_EVENT       -> EVENT_ACK, established sessions only: the events are kept (`receivedEvents`)
///     anything else    -> ERROR(UnsupportedRequest, code)
///
/// A refused request is answered with an ERROR built in one place (`answer`), as the responder does.
/// A value copied out of the connection, so the flow's transport closures may use the session freely.
struct EncapsulatedResponder: Sendable {
    let algorithms: NegotiatedAlgorithms
    let identity: RequesterCredentials?
    let ours: CapabilityFlags
    let theirs: CapabilityFlags
    /// The responder's DataTransferSize, or with chunking its MaxSPDMmsgSize (1.2+; 0 when unknown):
    /// DELIVER_ENCAPSULATED_RESPONSE must fit it (a large one travels in CHUNK_SEND).
    let responderDataTransferSize: UInt32
    let vca: [UInt8]
    /// The EPInfo of an encapsulated GET_ENDPOINT_INFO.
    var endpointInfo = DeviceClassIdentifier(elements: [])
    let random: any RequesterRandomSource
    /// nil outside any session, false in a session's handshake, true in an established session.
    var sessionEstablished: Bool?
    var keyUpdatePending = false
    var messageMutB: [UInt8] = []
    var messageMutC: [UInt8] = []
    /// The events of the SEND_EVENT requests answered (Events.swift).
    var receivedEvents: [EventRecord] = []

    var version: SPDMVersion { algorithms.version }

    /// Why an encapsulated request is refused: becomes ERROR(code, data).
    struct Refusal: Error {
        var code: ErrorCode
        var data: UInt8 = 0
    }

    /// The answer to one encapsulated request, and whether sending it moves the receive key.
    struct Answer: Sendable {
        var request: RequestCode
        var response: [UInt8]
        var movesResponseKey = false
    }

    mutating func answer(_ request: [UInt8]) -> Answer {
        guard let header = try? MessageHeader(peeking: request) else {
            return Answer(request: RequestCode(rawValue: 0), response: error(Refusal(code: .invalidRequest)))
        }
        let code = RequestCode(rawValue: header.code)
        do {
            guard header.version == version else { throw Refusal(code: .versionMismatch) }
            switch code {
            case .getDigests: return Answer(request: code, response: try digests(request))
            case .getCertificate: return Answer(request: code, response: try certificate(request))
            case .challenge: return Answer(request: code, response: try challengeAuth(request))
            case .getEndpointInfo: return Answer(request: code, response: try endpointInfoResponse(request))
            case .keyUpdate:
                let (response, moves) = try keyUpdateAck(request)
                return Answer(request: code, response: response, movesResponseKey: moves)
            case .sendEvent: return Answer(request: code, response: try eventAck(request))
            default: throw Refusal(code: .unsupportedRequest, data: code.rawValue)
            }
        } catch let refusal as Refusal {
            return Answer(request: code, response: error(refusal))
        } catch {
            return Answer(request: code, response: self.error(Refusal(code: .unspecified)))
        }
    }

    func error(_ refusal: Refusal) -> [UInt8] {
        ErrorResponse(version: version, code: refusal.code, data: refusal.data).encoded(context: .unnegotiated(version))
    }

    /// Our chain and the negotiated hash, or UnsupportedRequest for `code` (no CERT_CAP / no identity).
    func credentials(for code: RequestCode, capability: CapabilityFlags) throws -> (RequesterCredentials, HashAlgorithm) {
        guard ours.contains(capability), let identity, !identity.isRawPublicKey, let hash = algorithms.hash else {
            throw Refusal(code: .unsupportedRequest, data: code.rawValue)
        }
        return (identity, hash)
    }

    // MARK: GET_DIGESTS -> DIGESTS (libspdm_req_encap_digests.c)

    private mutating func digests(_ request: [UInt8]) throws -> [UInt8] {
        let (identity, hash) = try credentials(for: .getDigests, capability: .cert)
        let mask: UInt8 = 1 << identity.slotID
        let response = DigestsResponse(version: version, supportedSlotMask: mask, provisionedSlotMask: mask,
                                       digests: [Digest.hash(hash, identity.spdmChain(hash: hash))])
            .encoded(context: algorithms.wireContext)
        messageMutB += request.prefix(MessageHeader.size) + response
        return response
    }

    // MARK: GET_CERTIFICATE -> CERTIFICATE (libspdm_req_encap_certificate.c)

    private mutating func certificate(_ request: [UInt8]) throws -> [UInt8] {
        let (identity, hash) = try credentials(for: .getCertificate, capability: .cert)
        guard request.count >= GetCertificateRequest.size,
              let message = try? GetCertificateRequest(decoding: request, context: algorithms.wireContext) else {
            throw Refusal(code: .invalidRequest)
        }
        guard message.slotID == identity.slotID else { throw Refusal(code: .invalidRequest) }
        let chain = identity.spdmChain(hash: hash)
        let offset = Int(message.offset)
        var portion: [UInt8] = []
        var remainder = chain.count
        if !(version >= .v13 && message.attributes & GetCertificateRequest.slotSizeRequested != 0) {
            guard offset < chain.count, message.length > 0 else { throw Refusal(code: .invalidRequest) }
            // The CERTIFICATE travels inside DELIVER_ENCAPSULATED_RESPONSE (4 bytes) and has an 8-byte header.
            var room = chain.count - offset
            if version >= .v12 && responderDataTransferSize > 0 { room = min(room, Int(responderDataTransferSize) - 12) }
            let length = min(Int(message.length), room)
            guard length > 0 else { throw Refusal(code: .unspecified) }
            portion = Array(chain[offset..<offset + length])
            remainder = chain.count - offset - length
        }
        let response = CertificateResponse(version: version, slotID: identity.slotID, remainderLength: UInt16(remainder), portion: portion)
            .encoded(context: algorithms.wireContext)
        messageMutB += request.prefix(GetCertificateRequest.size) + response
        return response
    }

    // MARK: CHALLENGE -> CHALLENGE_AUTH (libspdm_req_encap_challenge_auth.c)

    private mutating func challengeAuth(_ request: [UInt8]) throws -> [UInt8] {
        let (identity, hash) = try credentials(for: .challenge, capability: .chal)
        guard algorithms.requesterSigning == identity.algorithm else {
            throw Refusal(code: .unsupportedRequest, data: RequestCode.challenge.rawValue)
        }
        let size = ChallengeRequest.expectedSize(version)
        guard request.count >= size, let message = try? ChallengeRequest(decoding: request, context: algorithms.wireContext) else {
            throw Refusal(code: .invalidRequest)
        }
        // The requester keeps no measurements: no summary hash; and one slot.
        guard message.summaryHashType == .none, message.slotID == identity.slotID else { throw Refusal(code: .invalidRequest) }
        let chain = identity.spdmChain(hash: hash)
        var response = ChallengeAuthResponse(
            version: version, slotID: identity.slotID, slotMask: 1 << identity.slotID, certChainHash: Digest.hash(hash, chain),
            nonce: random.bytes(32), measurementSummaryHash: [], opaqueData: [], requesterContext: message.requesterContext)
        var unsigned: [UInt8] = []
        response.encodeWithoutSignature(into: &unsigned)
        let mutC = Array(request.prefix(size)) + unsigned
        let signed = (version >= .v12 ? vca : []) + messageMutB + mutC
        do {
            response.signature = try SigningContext.sign(key: identity.privateKey, algorithm: identity.algorithm, hash: hash,
                                                         version: version, context: SigningContext.mutualChallengeAuth,
                                                         transcript: signed)
        } catch {
            throw Refusal(code: .unspecified)
        }
        messageMutC = mutC
        return unsigned + response.signature
    }

    // MARK: KEY_UPDATE -> KEY_UPDATE_ACK (libspdm_req_encap_key_update_ack.c)

    private mutating func keyUpdateAck(_ request: [UInt8]) throws -> (response: [UInt8], movesResponseKey: Bool) {
        guard ours.contains(.keyUpdate), theirs.contains(.keyUpdate) else {
            throw Refusal(code: .unsupportedRequest, data: RequestCode.keyUpdate.rawValue)
        }
        guard let established = sessionEstablished else {
            throw Refusal(code: version >= .v12 ? .sessionRequired : .unspecified)
        }
        guard established, request.count == MessageHeader.size, let header = try? MessageHeader(peeking: request) else {
            throw Refusal(code: .invalidRequest)
        }
        let operation = KeyUpdateOperation(rawValue: header.param1)
        var moves = false
        switch operation {
        case .updateKey:
            guard !keyUpdatePending else { throw Refusal(code: .invalidRequest) }
            keyUpdatePending = true
            moves = true
        case .verifyNewKey:
            guard keyUpdatePending else { throw Refusal(code: .invalidRequest) }
            keyUpdatePending = false
        default:
            // UpdateAllKeys would change our send key too; the responder may not ask for it (libspdm refuses it).
            throw Refusal(code: .invalidRequest)
        }
        return (SessionControlResponse.keyUpdateAck(version, operation: operation, tag: header.param2), moves)
    }
}
