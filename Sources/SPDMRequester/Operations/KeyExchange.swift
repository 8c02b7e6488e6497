import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// KEY_EXCHANGE / FINISH (DSP0274 §10.15, §10.16), with session mutual authentication and the
/// handshake in the clear:
///
///     KEY_EXCHANGE -> KEY_EXCHANGE_RSP            plain; MutAuthRequested 0x01 / 0x02 / 0x04, SlotIDParam
///     [0x02: GET_ENCAPSULATED_REQUEST ...]        the responder fetches our chain (EncapsulatedFlow.swift)
///     [0x04: DELIVER_ENCAPSULATED_RESPONSE(DIGESTS) ...]
///     FINISH -> FINISH_RSP                        under the handshake keys, or plain when both sides
///                                                 have HANDSHAKE_IN_THE_CLEAR_CAP
///
/// Transcript (libspdm_com_crypto_service_session.c, libspdm_calculate_th_for_finish):
///
///     TH for FINISH   = A || Hash(Ct) || K || [Hash(requester CertChain)] || FINISH header (1.4: + opaque)
///     Signature       = sign(TH for FINISH), context "requester-finish signing" (1.2+)
///     RequesterVerify = HMAC(request finished_key, Hash(TH for FINISH || Signature))
///     in the clear:     K has no ResponderVerifyData; FINISH_RSP carries
///                       ResponderVerifyData = HMAC(response finished_key, Hash(TH || FINISH || FINISH_RSP header))
///     TH2             = TH || FINISH || FINISH_RSP (with its verify data)
extension RequesterConnection {
    /// What KEY_EXCHANGE left to check its response.
    public struct KeyExchangeState: Sendable {
        public var request: [UInt8]
        public var slot: UInt8
        public var summary: MeasurementSummaryHashType
        public var requesterSessionID: UInt16
        /// The DHE or KEM key pair whose public half went out in KEY_EXCHANGE.
        let exchange: KeyExchangeInitiator
    }

    /// Both sides advertise HANDSHAKE_IN_THE_CLEAR_CAP (DSP0274 1.1+, capability bit 15).
    var handshakeInTheClear: Bool {
        configuration.capabilities.contains(.handshakeInTheClear)
            && (responderCapabilities?.flags.contains(.handshakeInTheClear) ?? false)
    }

    // MARK: KEY_EXCHANGE -> KEY_EXCHANGE_RSP

    public mutating func startKeyExchange(slot: UInt8 = 0, summary: MeasurementSummaryHashType = .none,
                                          requesterSessionID: UInt16 = 0xFFFF, sessionPolicy: UInt8 = 0) throws
        -> (request: [UInt8], state: KeyExchangeState) {
        guard pending == nil else { throw RequesterError.invalidState("\(pending!.code) is still in flight") }
        try requireResponder(.keyEx, "KEY_EX_CAP for KEY_EXCHANGE")
        let (_, algorithms, _) = try sessionSchedule(for: .keyExchange)
        guard configuration.capabilities.contains(.keyEx) else { throw RequesterError.invalidState("KEY_EXCHANGE without KEY_EX_CAP in our capabilities") }
        _ = try sessionEncrypts()
        guard let mechanism = KeyExchangeMechanism(algorithms) else {
            throw RequesterError.negotiationFailed("KEY_EXCHANGE needs a negotiated DHE group or KEM")
        }
        guard chains[slot] != nil else { throw RequesterError.noCertificateChain(slot: slot) }
        guard summary.isValid else { throw RequesterError.invalidState("MeasurementSummaryHashType 0x\(String(summary.rawValue, radix: 16))") }
        if summary != .none { try requireResponder(.measurementsAny, "MEAS_CAP for a measurement summary hash") }
        let exchange: KeyExchangeInitiator
        do { exchange = try KeyExchangeInitiator(mechanism) } catch {
            throw RequesterError.sessionRefused("\(mechanism) key generation failed: \(error)")
        }
        var request: [UInt8] = []
        KeyExchangeRequest(version: algorithms.version, summaryHashType: summary, slotID: slot, requesterSessionID: requesterSessionID,
                           sessionPolicy: sessionPolicy, randomData: randomBytes(32), exchangeData: exchange.exchangeData,
                           opaqueData: SecuredMessageOpaqueData.supportedVersionList(spdmVersion: algorithms.version))
            .encode(into: &request)
        transcript.willHandle(request: .keyExchange, authenticated: authenticated)
        return (request, KeyExchangeState(request: request, slot: slot, summary: summary, requesterSessionID: requesterSessionID, exchange: exchange))
    }

    /// Checks KEY_EXCHANGE_RSP: the signature over TH with the slot's leaf key, the DHE secret, the
    /// handshake keys from TH1 and ResponderVerifyData (absent with the handshake in the clear), and
    /// that a mutual-authentication request is one this requester can honour. Returns the session in
    /// its handshake phase.
    public func receiveKeyExchange(_ response: [UInt8], state: KeyExchangeState,
                                   channel: SecuredChannel) throws -> RequesterSession {
        let code = RequestCode.keyExchange
        let (schedule, algorithms, hash) = try sessionSchedule(for: code)
        try checkSessionResponse(response, code: code, expected: .keyExchangeRsp, version: algorithms.version)
        guard let asym = algorithms.signing else { throw RequesterError.negotiationFailed("KEY_EXCHANGE needs a negotiated signing algorithm") }
        guard let chain = chains[state.slot] else { throw RequesterError.noCertificateChain(slot: state.slot) }
        let inClear = handshakeInTheClear
        let message = try decode(code) {
            try KeyExchangeResponse(decoding: response, exchangeDataSize: state.exchange.mechanism.responseExchangeDataSize,
                                    summaryHashSize: state.summary == .none ? 0 : hash.digestSize,
                                    signatureSize: asym.signatureSize, verifyDataSize: inClear ? 0 : hash.digestSize)
        }
        let mutAuth = try checkMutualAuthRequest(message, algorithms: algorithms)
        let selected = try checkSecuredMessageVersion(message.opaqueData, version: algorithms.version, code: code)
        var unsigned: [UInt8] = []
        message.encodeWithoutSignature(into: &unsigned)
        guard response.count >= unsigned.count + message.signature.count + message.verifyData.count,
              Array(response.prefix(unsigned.count)) == unsigned else {
            throw RequesterError.malformedResponse(request: code, reason: "KEY_EXCHANGE_RSP does not re-encode")
        }
        // A multi-key connection puts message D between A and the chain hash (DSP0274 1.3 §15).
        let messageD = algorithms.multiKeyConnectionResponder ? transcript.messageD : []
        var th = transcript.vca + messageD + Digest.hash(hash, chain.spdmChain) + state.request + unsigned
        guard SigningContext.verify(key: chain.leafKey, algorithm: asym, hash: hash, version: algorithms.version,
                                    context: SigningContext.keyExchangeResponse, transcript: th, signature: message.signature) else {
            throw RequesterError.keyExchangeSignatureInvalid(slot: state.slot)
        }
        th += message.signature
        var sharedSecret: [UInt8]
        do { sharedSecret = try state.exchange.sharedSecret(responderExchangeData: message.exchangeData) } catch {
            throw RequesterError.malformedResponse(request: code, reason: "responder ExchangeData: \(error)")
        }
        defer { secureZero(&sharedSecret) }
        let th1Hash = Digest.hash(hash, th)
        let secrets = SessionSecrets(schedule: schedule, role: .requester, encrypt: try sessionEncrypts(), dheSecret: sharedSecret, th1Hash: th1Hash)
        if !inClear {
            guard constantTimeEquals(secrets.verifyData(requestDirection: false, transcriptHash: th1Hash), message.verifyData) else {
                throw RequesterError.verifyDataMismatch(request: code)
            }
            th += message.verifyData
        }
        return RequesterSession(
            sessionID: UInt32(message.responderSessionID) << 16 | UInt32(state.requesterSessionID), usesPSK: false,
            version: algorithms.version, heartbeatPeriod: message.heartbeatPeriod, measurementSummaryHash: message.measurementSummaryHash,
            securedMessageVersion: selected, channel: channel, secrets: secrets, transcript: th,
            // ReqSlotIDParam 0xF names our raw public key: FINISH carries ReqSlotID 0xFF (libspdm does the same).
            mutAuthRequested: mutAuth, requesterSlotID: message.slotIDParam & 0x0F == 0x0F ? 0xFF : message.slotIDParam & 0x0F,
            handshakeInTheClear: inClear, padding: random,
            largeMessages: largeMessageTransfer)
    }

    /// MutAuthRequested of KEY_EXCHANGE_RSP (DSP0274 Table "KEY_EXCHANGE_RSP"; libspdm_req_key_exchange.c):
    /// 0, or exactly one of 0x01 (FINISH signature, no encapsulation), 0x02 (encapsulated flow),
    /// 0x04 (encapsulated flow starting with our DIGESTS). Needs MUT_AUTH_CAP on both sides, ENCAP_CAP
    /// on both for 0x02/0x04, SlotIDParam 0-7 for 0x01, and our identity for the negotiated ReqBaseAsymAlg or ReqPqcAsymAlg.
    func checkMutualAuthRequest(_ message: KeyExchangeResponse, algorithms: NegotiatedAlgorithms) throws -> UInt8 {
        let code = RequestCode.keyExchange
        let requested = message.mutAuthRequested & 0x07
        guard requested != 0 else { return 0 }
        let theirs = responderCapabilities?.flags ?? [], ours = configuration.capabilities
        let hex = "0x" + String(requested, radix: 16)
        guard requested.nonzeroBitCount == 1 else {
            throw RequesterError.malformedResponse(request: code, reason: "MutAuthRequested \(hex) sets more than one mode")
        }
        guard ours.contains(.mutAuth), theirs.contains(.mutAuth) else {
            throw RequesterError.malformedResponse(request: code, reason: "MutAuthRequested \(hex) without MUT_AUTH_CAP on both sides")
        }
        if requested == 0x01 {
            let rawKey = ours.contains(.pubKeyID) && configuration.requesterIdentity?.isRawPublicKey == true
            guard rawKey ? message.slotIDParam & 0x0F == 0x0F : message.slotIDParam & 0x0F < 8 else {
                throw RequesterError.malformedResponse(request: code, reason: "SlotIDParam \(message.slotIDParam & 0x0F) for mutual authentication")
            }
        } else {
            guard ours.contains(.encap), theirs.contains(.encap) else {
                throw RequesterError.malformedResponse(request: code, reason: "MutAuthRequested \(hex) without ENCAP_CAP on both sides")
            }
        }
        guard let identity = configuration.requesterIdentity else {
            throw RequesterError.sessionRefused("the responder asks for mutual authentication (MutAuthRequested \(hex)), and no requester identity is configured")
        }
        guard algorithms.requesterSigning == identity.algorithm else {
            let selected = algorithms.requesterSigning.map(\.name) ?? "none"
            throw RequesterError.sessionRefused("mutual authentication needs requester algorithm \(identity.algorithm.name) (ReqBaseAsymAlg or ReqPqcAsymAlg), ALGORITHMS selected \(selected)")
        }
        return requested
    }

    // MARK: FINISH -> FINISH_RSP

    /// FINISH: Param1 bit 0 and Param2 = ReqSlotID plus our signature under mutual authentication,
    /// then RequesterVerifyData (see the transcript rules above).
    public func finishRequest(session: inout RequesterSession) throws -> [UInt8] {
        let hash = session.secrets.schedule.hash
        var identity: RequesterCredentials?
        if session.mutAuthRequested != 0 {
            guard let configured = configuration.requesterIdentity else {
                throw RequesterError.sessionRefused("mutual authentication without a requester identity")
            }
            guard configured.slotID == session.requesterSlotID else {
                throw RequesterError.sessionRefused("the responder names requester slot \(session.requesterSlotID), our chain is in slot \(configured.slotID)")
            }
            identity = configured
        }
        let message = FinishRequest(version: session.version, signatureIncluded: identity != nil,
                                    requesterSlotID: identity != nil ? session.requesterSlotID : 0, verifyData: [])
        var header: [UInt8] = []
        message.encodeWithoutSignature(into: &header)
        var signature: [UInt8] = []
        if let identity {
            session.transcript += Digest.hash(hash, identity.spdmChain(hash: hash))
            session.transcript += header
            do {
                signature = try SigningContext.sign(key: identity.privateKey, algorithm: identity.algorithm, hash: hash,
                                                    version: session.version, context: SigningContext.finish,
                                                    transcript: session.transcript)
            } catch {
                throw RequesterError.sessionRefused("signing FINISH with the requester key failed: \(error)")
            }
            session.transcript += signature
        } else {
            session.transcript += header
        }
        let verifyData = session.secrets.verifyData(requestDirection: true, transcriptHash: Digest.hash(hash, session.transcript))
        session.transcript += verifyData
        return header + signature + verifyData
    }

    /// FINISH_RSP: with the handshake in the clear its ResponderVerifyData must match (constant
    /// time); TH2 covers it; the session switches to its data keys.
    public func receiveFinish(_ response: [UInt8], session: inout RequesterSession) throws {
        let code = RequestCode.finish
        let hash = session.secrets.schedule.hash
        try checkSessionResponse(response, code: code, expected: .finishRsp, version: session.version)
        var length = MessageHeader.size
        if session.version >= .v14 {
            guard response.count >= 6 else { throw RequesterError.malformedResponse(request: code, reason: "FINISH_RSP without OpaqueDataLength") }
            length += 2 + (Int(response[4]) | Int(response[5]) << 8)
        }
        let verifySize = session.handshakeInTheClear ? hash.digestSize : 0
        let bytes = try exact(response, length: length + verifySize, code: code)
        if session.handshakeInTheClear {
            let expected = session.secrets.verifyData(requestDirection: false,
                                                      transcriptHash: Digest.hash(hash, session.transcript + bytes.prefix(length)))
            guard constantTimeEquals(expected, Array(bytes.suffix(verifySize))) else { throw RequesterError.verifyDataMismatch(request: code) }
        }
        session.transcript += bytes
        session.secrets.establish(th2Hash: Digest.hash(hash, session.transcript))
        session.mutuallyAuthenticated = session.mutAuthRequested != 0
    }

    /// KEY_EXCHANGE, the encapsulated mutual-authentication flow when the responder asks for it,
    /// then FINISH (in the handshake session, or in the clear): an established session on return.
    public mutating func keyExchange(slot: UInt8 = 0, summary: MeasurementSummaryHashType = .none, requesterSessionID: UInt16 = 0xFFFF,
                                     channel: SecuredChannel, exchange: ([UInt8]) throws -> [UInt8],
                                     secured: SecuredExchange) throws -> RequesterSession {
        let (request, state) = try startKeyExchange(slot: slot, summary: summary, requesterSessionID: requesterSessionID)
        var session = try receiveKeyExchange(try exchangeLarge(request, exchange: exchange), state: state, channel: channel)
        if session.mutAuthRequested & 0x06 != 0 {
            try sessionMutualAuthentication(session: &session, exchange: exchange, secured: secured)
        }
        let finish = try finishRequest(session: &session)
        let response: [UInt8]
        if session.handshakeInTheClear {
            transcript.willHandle(request: .finish, authenticated: authenticated)
            response = try exchangeLarge(finish, exchange: exchange)
        } else {
            response = try session.exchange(finish, code: .finish, via: secured)
        }
        try receiveFinish(response, session: &session)
        return session
    }
}
