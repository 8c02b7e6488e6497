import SPDMCore
import SPDMCrypto
import SPDMWire

/// A requester certificate chain this responder has verified against the device's trusted requester
/// roots: what FINISH (session mutual auth) and the encapsulated CHALLENGE (basic mutual auth) check.
struct RequesterIdentity: Sendable {
    var slotID: UInt8
    /// The SPDM certificate chain (Length, Reserved, RootHash, certificates) for the negotiated hash;
    /// its hash is the "Hash(CertChain of requester)" of TH for FINISH.
    var spdmChain: [UInt8]
    var leafKey: PublicKey
}

/// The encapsulated request flow in progress on a connection (DSP0274 §10.14): the responder's
/// requests to the requester travel inside ENCAPSULATED_REQUEST / ENCAPSULATED_RESPONSE_ACK.
struct EncapsulatedFlow: Sendable {
    enum Purpose: Sendable, Equatable {
        /// Session mutual authentication, inside the session's handshake.
        case session(UInt32)
        /// Basic mutual authentication after CHALLENGE_AUTH (SPDM 1.1), outside any session.
        case basic
        /// The responder's own KEY_UPDATE inside an established session, started by the platform
        /// command OOB_ENCAP_KEY_UPDATE (EncapsulatedKeyUpdate.swift).
        case keyUpdate(UInt32)
        /// GET_ENDPOINT_INFO to the requester, armed by the platform command OOB_ENCAP_ENDPOINT_INFO
        /// (EncapsulatedEndpointInfo.swift): `armed` until a GET_ENCAPSULATED_REQUEST in the clear
        /// or in an established session takes it, then bound to that place (nil: in the clear).
        case armedEndpointInfo
        case endpointInfo(UInt32?)
        /// SEND_EVENT to a subscribed session (EncapsulatedSendEvent.swift).
        case events(UInt32)
    }

    var purpose: Purpose
    /// Requests still to send after the outstanding one.
    var remaining: [RequestCode]
    /// The encapsulated request the requester is answering, and its bytes.
    var current: RequestCode?
    var currentRequest: [UInt8] = []
    /// The outstanding GET_CERTIFICATE (its Length bounds the portion).
    var certificateRequest: GetCertificateRequest?
    /// The outstanding GET_ENDPOINT_INFO (a signature was asked: the IL is checked).
    var endpointInfoRequest: GetEndpointInfoRequest?
    /// GET_ENDPOINT_INFO asks for the requester's signature (EncapsulatedEndpointInfo.swift).
    var endpointInfoSigned = false
    /// The EPInfo the requester answered with.
    var requesterEndpointInfo: [UInt8]?
    var requestID: UInt8 = 0
    var slotID: UInt8 = 0
    var expectedDigest: [UInt8]?
    /// The requester's SPDM chain so far (GET_CERTIFICATE portions).
    var chain: [UInt8] = []
    var chainComplete = false
    var identity: RequesterIdentity?
    /// Message B and C of the requester's CHALLENGE_AUTH signature (the encapsulated exchanges).
    var messageMutB: [UInt8] = []
    var messageMutC: [UInt8] = []
    var challengeContext: [UInt8] = []
    /// The KEY_UPDATE operation and tag of the outstanding encapsulated KEY_UPDATE.
    var keyUpdate: (operation: KeyUpdateOperation, tag: UInt8)?
    var keyUpdateStarted = false
    /// The events of the outstanding SEND_EVENT.
    var events: [EventRecord] = []

    init(purpose: Purpose, remaining: [RequestCode]) {
        self.purpose = purpose
        self.remaining = remaining
    }

    func belongs(to sessionID: UInt32?) -> Bool {
        switch purpose {
        case .session(let id), .keyUpdate(let id), .events(let id): return sessionID == id
        case .basic: return sessionID == nil
        case .endpointInfo(let place): return sessionID == place
        case .armedEndpointInfo: return true
        }
    }
}

extension ResponderConnection {
    /// GET_ENCAPSULATED_REQUEST -> ENCAPSULATED_REQUEST carrying the next request of the flow.
    mutating func handleGetEncapsulatedRequest(_ request: [UInt8], sessionID: UInt32?) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard algorithms.version >= .v11, peer.flags.contains(.encap) else {
            throw ResponderError.unsupportedRequest(.getEncapsulatedRequest)
        }
        _ = try MessageHeader(peeking: request)
        _ = startEventDelivery(sessionID: sessionID)
        guard var flow = encapsulated, flow.belongs(to: sessionID) else {
            throw noPendingEncapsulatedRequest(algorithms.version)
        }
        if flow.purpose == .armedEndpointInfo { try bindEndpointInfoFlow(&flow, sessionID: sessionID, algorithms: algorithms) }

        // Process: resend the outstanding request, or move on to the next one.
        if flow.current == nil {
            guard try nextEncapsulatedRequest(&flow, algorithms: algorithms) else {
                encapsulated = nil
                throw noPendingEncapsulatedRequest(algorithms.version).keepingStateChanges
            }
        }

        // Build + update
        let bytes = EncapsulatedRequestResponse(version: algorithms.version, requestID: flow.requestID,
                                                encapsulatedRequest: flow.currentRequest).encoded
        encapsulated = flow
        return bytes
    }

    /// DELIVER_ENCAPSULATED_RESPONSE -> ENCAPSULATED_RESPONSE_ACK with the next request, or the end
    /// of the flow (with the requester slot number for FINISH when it is not 0).
    mutating func handleDeliverEncapsulatedResponse(_ request: [UInt8], sessionID: UInt32?) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        guard algorithms.version >= .v11, peer.flags.contains(.encap) else {
            throw ResponderError.unsupportedRequest(.deliverEncapsulatedResponse)
        }
        guard var flow = encapsulated, flow.belongs(to: sessionID), let current = flow.current else {
            throw ResponderError.unexpectedRequest("no encapsulated request is outstanding")
        }
        let message = try DeliverEncapsulatedResponse(decoding: request)
        guard message.requestID == flow.requestID else {
            throw ResponderError.invalidRequest("RequestID \(message.requestID), expected \(flow.requestID)")
        }

        // Process: a bad encapsulated response ends the flow.
        do {
            try processEncapsulatedResponse(message.encapsulatedResponse, to: current, flow: &flow, algorithms: algorithms)
        } catch let error as ResponderError {
            encapsulated = nil
            throw error.keepingStateChanges
        } catch {
            encapsulated = nil
            throw ResponderError(.invalidResponseCode, "malformed encapsulated \(current) response: \(error)").keepingStateChanges
        }
        flow.current = nil
        // The requester acknowledged our UpdateKey: the response direction moves to its next
        // secret before VerifyNewKey goes out, so that request is sealed under the new key (§10.20).
        let switchResponseKey = flow.keyUpdate?.operation == .updateKey
        flow.keyUpdate = nil
        let more = try nextEncapsulatedRequest(&flow, algorithms: algorithms)

        // Build
        let ack: EncapsulatedResponseAck
        if more {
            ack = EncapsulatedResponseAck(version: algorithms.version, requestID: flow.requestID, payloadType: .present,
                                          ackRequestID: message.requestID, payload: flow.currentRequest)
        } else if flow.slotID != 0, case .session = flow.purpose {
            ack = EncapsulatedResponseAck(version: algorithms.version, requestID: 0, payloadType: .requesterSlotNumber,
                                          ackRequestID: message.requestID, payload: [flow.slotID])
        } else {
            ack = EncapsulatedResponseAck(version: algorithms.version, requestID: 0, payloadType: .absent,
                                          ackRequestID: message.requestID, payload: [])
        }
        let bytes = ack.encoded

        // Update
        if case .keyUpdate(let id) = flow.purpose, switchResponseKey {
            sessions[id]?.secrets.updateKeys(request: false, response: true)
        }
        if more {
            encapsulated = flow
        } else {
            encapsulated = nil
            switch flow.purpose {
            case .session(let id): sessions[id]?.requesterIdentity = flow.identity
            case .basic: requesterIdentity = flow.identity
            case .keyUpdate, .armedEndpointInfo: break
            case .endpointInfo: requesterEndpointInfo = flow.requesterEndpointInfo
            case .events(let id): sessions[id]?.events.acknowledge()
            }
        }
        return bytes
    }

    func noPendingEncapsulatedRequest(_ version: SPDMVersion) -> ResponderError {
        version >= .v13 ? ResponderError(.noPendingRequests, "no encapsulated request pending")
            : ResponderError.unexpectedRequest("no encapsulated request pending")
    }

    /// Builds the next encapsulated request into `flow` (a further GET_CERTIFICATE while the chain is
    /// incomplete); false when the flow is over.
    private func nextEncapsulatedRequest(_ flow: inout EncapsulatedFlow, algorithms: NegotiatedAlgorithms) throws -> Bool {
        let version = algorithms.version
        let code: RequestCode
        if !flow.chain.isEmpty && !flow.chainComplete {
            code = .getCertificate
        } else if let next = flow.remaining.first {
            flow.remaining.removeFirst()
            code = next
        } else {
            return false
        }
        let context = algorithms.wireContext
        var bytes: [UInt8]
        switch code {
        case .getDigests:
            bytes = GetDigestsRequest(version: version).encoded(context: context)
        case .getCertificate:
            // The CERTIFICATE comes back inside DELIVER_ENCAPSULATED_RESPONSE, which must fit our DataTransferSize.
            let length = min(0xFFFF, Int(device.dataTransferSize) - MessageHeader.size - 8)
            let request = GetCertificateRequest(version: version, slotID: flow.slotID, offset: UInt16(clamping: flow.chain.count),
                                                length: UInt16(clamping: max(length, 1)))
            flow.certificateRequest = request
            bytes = request.encoded(context: context)
        case .challenge:
            let nonce = randomBytes(32)
            if version >= .v13 { flow.challengeContext = randomBytes(8) }
            bytes = ChallengeRequest(version: version, slotID: flow.slotID, summaryHashType: .none, nonce: nonce,
                                     requesterContext: flow.challengeContext).encoded(context: context)
            flow.messageMutC = bytes
        case .keyUpdate:
            let operation: KeyUpdateOperation = flow.keyUpdateStarted ? .verifyNewKey : .updateKey
            let tag = randomBytes(1)[0]
            bytes = []
            MessageHeader(version: version, code: code.rawValue, param1: operation.rawValue, param2: tag).encode(into: &bytes)
            flow.keyUpdate = (operation, tag)
            flow.keyUpdateStarted = true
        case .getEndpointInfo:
            let request = endpointInfoRequest(flow, version: version)
            flow.endpointInfoRequest = request
            bytes = request.encoded(context: context)
        case .sendEvent:
            bytes = try encapsulatedSendEvent(flow, version: version)
        default:
            throw ResponderError.unspecified("no encapsulated \(code)")
        }
        flow.current = code
        flow.currentRequest = bytes
        flow.requestID &+= 1
        return true
    }

    private func processEncapsulatedResponse(_ response: [UInt8], to code: RequestCode, flow: inout EncapsulatedFlow,
                                             algorithms: NegotiatedAlgorithms) throws {
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        let header = try MessageHeader(peeking: response)
        func fail(_ reason: String) -> ResponderError { ResponderError(.invalidResponseCode, "encapsulated \(code): \(reason)") }
        guard header.version == algorithms.version else { throw fail("response version \(header.version)") }
        if header.code == ResponseCode.error.rawValue {
            throw fail("the requester answered ERROR(0x\(String(header.param1, radix: 16)))")
        }
        switch code {
        case .getDigests:
            guard header.code == ResponseCode.digests.rawValue else { throw fail("got response code 0x\(String(header.code, radix: 16))") }
            let message = try DigestsResponse(decoding: response, context: algorithms.requesterWireContext)
            let mask = message.provisionedSlotMask
            guard mask != 0, let first = message.digests.first else { throw fail("no provisioned requester slot") }
            if algorithms.version >= .v13 && message.supportedSlotMask & mask != mask { throw fail("provisioned slots outside the supported ones") }
            flow.slotID = UInt8(mask.trailingZeroBitCount)
            flow.expectedDigest = first
            flow.messageMutB += flow.currentRequest + response.prefix(message.encoded(context: algorithms.requesterWireContext).count)
        case .getCertificate:
            guard header.code == ResponseCode.certificate.rawValue else { throw fail("got response code 0x\(String(header.code, radix: 16))") }
            guard let asked = flow.certificateRequest else { throw fail("no GET_CERTIFICATE outstanding") }
            let message = try CertificateResponse(decoding: response, context: algorithms.requesterWireContext)
            guard message.largeRemainderLength == nil else { throw fail("LargeCertChain form, not asked for") }
            guard message.slotID == flow.slotID else { throw fail("CERTIFICATE for slot \(message.slotID), asked \(flow.slotID)") }
            let portion = message.portion.count
            guard portion > 0, portion <= Int(asked.length) else { throw fail("PortionLength \(portion) (asked \(asked.length))") }
            guard flow.chain.count + portion + Int(message.remainderLength) <= 0xFFFF else { throw fail("chain over 65535 bytes") }
            flow.messageMutB += flow.currentRequest + response.prefix(message.encoded(context: algorithms.requesterWireContext).count)
            flow.chain += message.portion
            if message.remainderLength == 0 {
                flow.chainComplete = true
                if let expected = flow.expectedDigest, Digest.hash(hash, flow.chain) != expected {
                    throw fail("the chain does not match the requester's DIGESTS")
                }
                flow.identity = try verifyRequesterChain(flow.chain, slotID: flow.slotID, algorithms: algorithms)
            }
        case .challenge:
            guard header.code == ResponseCode.challengeAuth.rawValue else { throw fail("got response code 0x\(String(header.code, radix: 16))") }
            guard let identity = flow.identity, let requesterAsym = algorithms.requesterSigning else {
                throw fail("no verified requester chain")
            }
            let context = WireContext(version: algorithms.version, hashSize: hash.digestSize, signatureSize: requesterAsym.signatureSize)
            let message = try ChallengeAuthResponse(decoding: response, context: context, summaryHashPresent: false)
            guard message.slotID == flow.slotID, message.slotMask & (1 << flow.slotID) != 0 else { throw fail("slot \(message.slotID)") }
            guard !message.basicMutualAuthRequested else { throw fail("BasicMutAuthReq set by the requester") }
            guard message.certChainHash == Digest.hash(hash, identity.spdmChain) else { throw fail("CertChainHash does not match") }
            if algorithms.version >= .v13 && message.requesterContext != flow.challengeContext { throw fail("RequesterContext differs") }
            var unsigned: [UInt8] = []
            message.encodeWithoutSignature(into: &unsigned)
            flow.messageMutC += response.prefix(unsigned.count)
            let signed = (algorithms.version > .v11 ? transcript.vca : []) + flow.messageMutB + flow.messageMutC
            guard SigningContext.verify(key: identity.leafKey, algorithm: requesterAsym, hash: hash, version: algorithms.version,
                                        context: SigningContext.mutualChallengeAuth, transcript: signed,
                                        signature: message.signature) else {
                throw fail("the requester's CHALLENGE_AUTH signature does not verify")
            }
        case .getEndpointInfo:
            try checkEncapsulatedEndpointInfo(response, flow: &flow, algorithms: algorithms, fail: fail)
        case .keyUpdate:
            try checkEncapsulatedKeyUpdateAck(response, flow: flow, fail: fail)
        case .sendEvent:
            try checkEncapsulatedEventAck(response, version: algorithms.version, fail: fail)
        default:
            throw fail("unexpected")
        }
    }

    /// Checks a requester chain (SPDM format) against the device's trusted requester roots, like
    /// libspdm without validity dates, and returns its leaf key.
    func verifyRequesterChain(_ spdmChain: [UInt8], slotID: UInt8, algorithms: NegotiatedAlgorithms) throws -> RequesterIdentity {
        guard let hash = algorithms.hash else { throw ResponderError.unexpectedRequest("no hash negotiated") }
        func fail(_ reason: String) -> ResponderError { ResponderError(.invalidResponseCode, "requester certificate chain: \(reason)") }
        let certificates: [Certificate]
        let rootHash: [UInt8]
        do {
            let parts = try CertificateChainFormat.parse(spdmChain, hashSize: hash.digestSize)
            rootHash = parts.rootHash
            certificates = try Certificate.parseConcatenatedDER(parts.certificatesDER)
        } catch {
            throw fail("\(error)")
        }
        guard let first = certificates.first, let leaf = certificates.last else { throw fail("no certificates") }
        if first.isSelfSigned && Digest.hash(hash, first.der) != rootHash { throw fail("RootHash is not the hash of the root certificate") }
        do {
            try ChainVerifier.verify(chain: certificates, trustedRoots: device.mutualAuth.trustedRoots,
                                     options: ChainVerifier.Options(validAt: nil))
        } catch {
            throw fail("not trusted: \(error)")
        }
        return RequesterIdentity(slotID: slotID, spdmChain: spdmChain, leafKey: leaf.publicKey)
    }

    /// The provisioned requester chain for the negotiated requester algorithm (mutual auth without
    /// the encapsulated flow), verified; nil when there is none.
    func provisionedRequesterIdentity(algorithms: NegotiatedAlgorithms) -> RequesterIdentity? {
        guard let hash = algorithms.hash, let algorithm = algorithms.requesterSigning,
              let der = device.mutualAuth.provisionedRequesterChains[algorithm],
              let root = try? Certificate.parseConcatenatedDER(der).first else { return nil }
        let chain = CertificateChainFormat.build(rootHash: Digest.hash(hash, root.der), certificatesDER: der)
        return try? verifyRequesterChain(chain, slotID: 0, algorithms: algorithms)
    }
}
