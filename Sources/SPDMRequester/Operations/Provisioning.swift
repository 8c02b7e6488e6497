import SPDMCore
import SPDMCrypto
import SPDMWire

/// A GET_CSR to send (DSP0274 §10.22). KeyPairID and the attributes are 1.3 fields: on a
/// multi-key connection KeyPairID and CertModel are required, otherwise both stay 0.
public struct CSRRequest: Sendable, Hashable {
    public var keyPairID: UInt8
    public var model: CertificateModel
    /// A CSRTrackingTag from an earlier ERROR(ResetRequired), to fetch the CSR after the reset.
    public var trackingTag: UInt8
    public var overwrite: Bool
    /// A DER CertificationRequestInfo (`CertificateSigningRequest.requesterInfo`), or empty.
    public var requesterInfo: [UInt8]
    public var opaqueData: [UInt8]

    public init(keyPairID: UInt8 = 0, model: CertificateModel = .none, trackingTag: UInt8 = 0, overwrite: Bool = false,
                requesterInfo: [UInt8] = [], opaqueData: [UInt8] = []) {
        self.keyPairID = keyPairID
        self.model = model
        self.trackingTag = trackingTag
        self.overwrite = overwrite
        self.requesterInfo = requesterInfo
        self.opaqueData = opaqueData
    }
}

/// A SET_CERTIFICATE to send (DSP0274 §10.23): the DER certificates of a chain (root first, leaf
/// last) for `slot`, or (1.3) its erasure.
public struct CertificateInstall: Sendable, Hashable {
    public var slot: UInt8
    /// DER certificates back to back; the SPDM chain header and RootHash are added for the
    /// negotiated hash. Empty with `erase`.
    public var certificatesDER: [UInt8]
    public var model: CertificateModel
    public var keyPairID: UInt8
    public var erase: Bool

    public init(slot: UInt8, certificatesDER: [UInt8], model: CertificateModel = .none, keyPairID: UInt8 = 0) {
        self.slot = slot
        self.certificatesDER = certificatesDER
        self.model = model
        self.keyPairID = keyPairID
        self.erase = false
    }

    public static func erase(slot: UInt8, keyPairID: UInt8 = 0) -> CertificateInstall {
        var install = CertificateInstall(slot: slot, certificatesDER: [], keyPairID: keyPairID)
        install.erase = true
        return install
    }
}

/// A SET_KEY_PAIR_INFO to send (DSP0274 1.3 §10.26).
public struct KeyPairChange: Sendable, Hashable {
    public var operation: KeyPairOperation
    public var keyPairID: UInt8
    public var keyUsage: KeyUsageMask
    public var asymAlgorithm: KeyPairAsymAlgorithms
    public var associatedSlotMask: UInt8

    public init(operation: KeyPairOperation, keyPairID: UInt8, keyUsage: KeyUsageMask = [],
                asymAlgorithm: KeyPairAsymAlgorithms = [], associatedSlotMask: UInt8 = 0) {
        self.operation = operation
        self.keyPairID = keyPairID
        self.keyUsage = keyUsage
        self.asymAlgorithm = asymAlgorithm
        self.associatedSlotMask = associatedSlotMask
    }
}

/// GET_CSR, SET_CERTIFICATE, GET_KEY_PAIR_INFO, SET_KEY_PAIR_INFO: the provisioning requests. None
/// joins a transcript. A device that needs a reset answers ERROR(ResetRequired) (Param2: the 1.3
/// CSRTrackingTag), which surfaces as `RequesterError.errorResponse`.
extension RequesterConnection {
    // MARK: GET_CSR -> CSR

    func startGetCSR(_ request: CSRRequest) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getCSR)
        try requireVersion(.v12, for: .getCSR, algorithms)
        if algorithms.version >= .v13 {
            if algorithms.multiKeyConnectionResponder {
                guard request.keyPairID != 0, request.model != .none, request.model.isDefined else {
                    throw RequesterError.invalidState("a multi-key connection's GET_CSR names a key pair and a certificate model")
                }
            } else if request.keyPairID != 0 || request.model != .none {
                throw RequesterError.invalidState("KeyPairID and CertModel need a multi-key connection")
            }
        }
        guard request.requesterInfo.count <= Int(UInt16.max), request.opaqueData.count <= Int(UInt16.max) else {
            throw RequesterError.invalidState("RequesterInfo or OpaqueData over 65535 bytes")
        }
        return GetCSRRequest(version: algorithms.version, keyPairID: request.keyPairID,
                             attributes: .init(certificateModel: request.model, trackingTag: request.trackingTag, overwrite: request.overwrite),
                             requesterInfo: request.requesterInfo, opaqueData: request.opaqueData)
            .encoded(context: algorithms.wireContext)
    }

    func receiveCSR(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let message = try decode(pending.code) { try CSRResponse(decoding: response, context: algorithms.wireContext) }
        let parsed = try decode(pending.code) { try ParsedCertificateSigningRequest(der: message.csr) }
        guard parsed.signatureValid else {
            throw RequesterError.malformedResponse(request: pending.code, reason: "the CSR's signature does not verify with its own key")
        }
        return .completed(.csr(message.csr))
    }

    // MARK: SET_CERTIFICATE -> SET_CERTIFICATE_RSP

    func startSetCertificate(_ install: CertificateInstall) throws -> [UInt8] {
        let algorithms = try algorithms(for: .setCertificate)
        try requireVersion(.v12, for: .setCertificate, algorithms)
        guard install.slot < 8 else { throw RequesterError.invalidState("slot \(install.slot) beyond 7") }
        guard let hash = algorithms.hash else { throw RequesterError.invalidState("SET_CERTIFICATE without a negotiated hash") }
        if install.erase { try requireVersion(.v13, for: .setCertificate, algorithms) }
        var chain: [UInt8] = []
        if !install.erase {
            let certificates: [Certificate]
            do { certificates = try Certificate.parseConcatenatedDER(install.certificatesDER) } catch {
                throw RequesterError.invalidState("the chain to install does not parse: \(error)")
            }
            guard let root = certificates.first else { throw RequesterError.invalidState("an empty chain to install") }
            chain = CertificateChainFormat.build(rootHash: Digest.hash(hash, root.der), certificatesDER: install.certificatesDER)
            guard chain.count <= Int(UInt16.max) else { throw RequesterError.invalidState("a \(chain.count)-byte chain does not fit Length") }
        }
        let multiKey = algorithms.version >= .v13 && algorithms.multiKeyConnectionResponder
        if multiKey && install.keyPairID == 0 { throw RequesterError.invalidState("a multi-key connection's SET_CERTIFICATE names a key pair") }
        return SetCertificateRequest(version: algorithms.version, slotID: install.slot,
                                     certificateModel: multiKey && !install.erase ? install.model : .none, erase: install.erase,
                                     keyPairID: multiKey ? install.keyPairID : 0, certificateChain: chain)
            .encoded(context: algorithms.wireContext)
    }

    func receiveSetCertificate(_ response: [UInt8], install: CertificateInstall, pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let message = try decode(pending.code) { try SetCertificateResponse(decoding: response, context: algorithms.wireContext) }
        guard message.slotID == install.slot else {
            throw RequesterError.slotMismatch(request: pending.code, expected: install.slot, got: message.slotID)
        }
        return .completed(.certificateSet(slot: message.slotID))
    }

    // MARK: GET_KEY_PAIR_INFO -> KEY_PAIR_INFO

    func startGetKeyPairInfo(_ id: UInt8) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getKeyPairInfo)
        try requireVersion(.v13, for: .getKeyPairInfo, algorithms)
        guard id != 0 else { throw RequesterError.invalidState("KeyPairID 0") }
        return GetKeyPairInfoRequest(version: algorithms.version, keyPairID: id).encoded(context: algorithms.wireContext)
    }

    /// The checks libspdm's requester makes of KEY_PAIR_INFO.
    func receiveKeyPairInfo(_ response: [UInt8], id: UInt8, pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let info = try decode(pending.code) { try KeyPairInfoResponse(decoding: response, context: algorithms.wireContext) }
        func malformed(_ reason: String) -> RequesterError { .malformedResponse(request: pending.code, reason: reason) }
        guard info.keyPairID == id else { throw malformed("KeyPairID \(info.keyPairID), asked for \(id)") }
        guard info.keyPairID <= info.totalKeyPairs else { throw malformed("KeyPairID beyond TotalKeyPairs \(info.totalKeyPairs)") }
        guard !info.keyUsageCapabilities.isEmpty, !info.asymAlgorithmCapabilities.isEmpty else {
            throw malformed("a key pair with no usage or algorithm capability")
        }
        guard info.keyUsageCapabilities.isSuperset(of: info.currentKeyUsage) else { throw malformed("CurrentKeyUsage beyond KeyUsageCapabilities") }
        guard info.currentAsymAlgorithm.isEmpty || info.currentAsymAlgorithm.isSingleBit,
              info.asymAlgorithmCapabilities.isSuperset(of: info.currentAsymAlgorithm) else {
            throw malformed("CurrentAsymAlgo is not one of AsymAlgoCapabilities")
        }
        if info.capabilities.contains(.shareable) && !info.capabilities.contains(.certificateAssociation) {
            throw malformed("ShareableCap without CertAssocCap")
        }
        if !(responderCapabilities?.flags.contains(.setKeyPairInfo) ?? false) && !info.capabilities.isEmpty {
            throw malformed("Capabilities on a responder without SET_KEY_PAIR_INFO_CAP")
        }
        return .completed(.keyPairInfo(info))
    }

    // MARK: SET_KEY_PAIR_INFO -> SET_KEY_PAIR_INFO_ACK

    func startSetKeyPairInfo(_ change: KeyPairChange) throws -> [UInt8] {
        let algorithms = try algorithms(for: .setKeyPairInfo)
        try requireVersion(.v13, for: .setKeyPairInfo, algorithms)
        guard change.keyPairID != 0 else { throw RequesterError.invalidState("KeyPairID 0") }
        return SetKeyPairInfoRequest(version: algorithms.version, operation: change.operation, keyPairID: change.keyPairID,
                                     desiredKeyUsage: change.keyUsage, desiredAsymAlgorithm: change.asymAlgorithm,
                                     desiredAssociatedSlotMask: change.associatedSlotMask)
            .encoded(context: algorithms.wireContext)
    }

    func receiveSetKeyPairInfoAck(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        _ = try decode(pending.code) { try SetKeyPairInfoAckResponse(decoding: response, context: algorithms.wireContext) }
        return .completed(.keyPairInfoSet)
    }

    private func requireVersion(_ minimum: SPDMVersion, for code: RequestCode, _ algorithms: NegotiatedAlgorithms) throws {
        guard algorithms.version >= minimum else {
            throw RequesterError.capabilityMissing("\(code) needs SPDM \(minimum) (the connection is \(algorithms.version))")
        }
    }

    /// A provisioning request inside an established session; the connection's transcripts are
    /// left as they were (these requests join none).
    public mutating func performInSession(_ operation: RequesterOperation, session: inout RequesterSession,
                                          via send: SecuredExchange) throws -> RequesterEvent {
        try requireEstablished(session, operation.requestCode)
        let outer = transcript
        defer { transcript = outer }
        return try perform(operation) { message in try session.exchange(message, code: operation.requestCode, via: send) }
    }
}
