import SPDMCore
import SPDMCrypto
import SPDMSession
import SPDMWire

/// GET_CSR -> CSR (DSP0274 §10.22; 1.2+, CSR_CAP): a PKCS#10 request for one of the device's keys,
/// signed by that key. The key is the request's KeyPairID on a 1.3 multi-key connection, else the
/// key pair that signs for the negotiated algorithm. RequesterInfo gives the subject and attributes.
///
/// With CERT_INSTALL_RESET_CAP the device needs a reset first: the request is recorded (1.3: under
/// a CSRTrackingTag, ERROR(ResetRequired) carries it) and, once the device was reset, the same
/// request — at 1.3 with that tag — gets the CSR, once. The rules follow libspdm's responder: an
/// unknown tag is InvalidRequest, a known one before the reset is Busy, no free tag is Busy.
extension ResponderConnection {
    /// SPDM_MAX_OPAQUE_DATA_SIZE.
    static let maxOpaqueDataSize = 1024

    mutating func handleGetCSR(_ request: [UInt8]) throws -> [UInt8] {
        // Validate
        let algorithms = try algorithms
        let message = try GetCSRRequest(decoding: request, context: algorithms.wireContext)
        try validateOpaqueData(message.opaqueData, algorithms: algorithms)
        if !message.requesterInfo.isEmpty {
            do { _ = try CertificateSigningRequest.RequesterInfo(der: message.requesterInfo) } catch {
                throw ResponderError.invalidRequest("RequesterInfo is not a CertificationRequestInfo: \(error)")
            }
        }
        let needsReset = device.capabilities.contains(.certInstallReset)
        let modern = algorithms.version >= .v13
        let tag = modern ? message.attributes.trackingTag : 0
        if modern {
            if message.attributes.overwrite && tag != 0 { throw ResponderError.invalidRequest("Overwrite with a CSRTrackingTag") }
            if !needsReset && tag != 0 { throw ResponderError.invalidRequest("CSRTrackingTag on a device that needs no reset") }
        }
        let (pair, model) = try csrKeyPair(message, algorithms: algorithms)

        // Process: a device that needs a reset first records the request.
        var provisioned = device.provisioned
        if needsReset {
            if let pending = provisioned.pendingReset.csrRequests[tag], tag != 0 || !modern,
               pending.ready, pending.matches(message) {
                provisioned.pendingReset.csrRequests.removeValue(forKey: tag)
                provisioned.acknowledge()
            } else {
                try recordForReset(message, tag: tag, modern: modern)
            }
        }
        var key = pair.privateKey
        if key == nil {
            let generated = try generateKey(for: pair, algorithms: algorithms)
            var settings = device.recordedSettings(of: pair)
            settings.generatedKey = generated.pkcs8DER
            settings.asymAlgorithm = KeyPairAsymAlgorithms(keyType: generated.keyType).rawValue
            settings.erased = false
            provisioned.keyPairs[pair.id] = settings
            provisioned.acknowledge()
            key = generated
        }
        guard let key else { throw ResponderError.unspecified("no key for key pair \(pair.id)") }

        // Build
        let content = CertificateSigningRequest.Content(
            requesterInfo: message.requesterInfo, defaultCommonName: "\(device.name) key pair \(pair.id)",
            isCA: model == .aliasCert, extensionTemplate: device.currentLeaf(ofKeyPair: pair.id))
        let csr: [UInt8]
        do {
            csr = try CertificateSigningRequest.make(key: key, hash: Self.csrHash(algorithms.hash, key: key), content: content)
        } catch {
            throw ResponderError.invalidRequest("cannot build the CSR: \(error)")
        }
        guard csr.count <= Int(UInt16.max) else { throw ResponderError.unspecified("a CSR of \(csr.count) bytes") }
        let response = CSRResponse(version: algorithms.version, csr: csr).encoded(context: algorithms.wireContext)

        // Update
        record(provisioned)
        return response
    }

    /// OpaqueData: at most 1024 bytes, only with a negotiated opaque data format, and in the
    /// general format when that is the one negotiated.
    func validateOpaqueData(_ opaque: [UInt8], algorithms: NegotiatedAlgorithms) throws {
        guard !opaque.isEmpty else { return }
        guard opaque.count <= Self.maxOpaqueDataSize else {
            throw ResponderError.invalidRequest("OpaqueDataLength \(opaque.count) over \(Self.maxOpaqueDataSize)")
        }
        guard !algorithms.otherParams.intersection([.opaqueDataFormat0, .opaqueDataFormat1]).isEmpty else {
            throw ResponderError.invalidRequest("opaque data without a negotiated opaque data format")
        }
        if algorithms.otherParams.contains(.opaqueDataFormat1) {
            do { try SecuredMessageOpaqueData.checkGeneralFormat(opaque) } catch {
                throw ResponderError.invalidRequest("opaque data is not in the general format: \(error)")
            }
        }
    }

    /// The key pair and certificate model a GET_CSR is for (DSP0274 1.3 GET_CSR Param1/Param2).
    private func csrKeyPair(_ message: GetCSRRequest, algorithms: NegotiatedAlgorithms) throws -> (ServedKeyPair, CertificateModel) {
        let model = message.attributes.certificateModel
        if algorithms.version >= .v13 && algorithms.multiKeyConnectionResponder {
            guard message.keyPairID != 0 else { throw ResponderError.invalidRequest("KeyPairID 0 on a multi-key connection") }
            guard model != .none, model.isDefined else { throw ResponderError.invalidRequest("CertModel \(model.rawValue)") }
            guard let pair = device.servedKeyPair(message.keyPairID) else {
                throw ResponderError.invalidRequest("no key pair \(message.keyPairID) (TotalKeyPairs \(device.totalKeyPairs))")
            }
            return (pair, model)
        }
        if algorithms.version >= .v13 && (message.keyPairID != 0 || model != .none) {
            throw ResponderError.invalidRequest("KeyPairID and CertModel must be 0 without a multi-key connection")
        }
        guard let pair = device.defaultKeyPair(for: algorithms.asym) else {
            throw ResponderError.invalidRequest("no key pair signs with the negotiated algorithm")
        }
        return (pair, device.capabilities.contains(.aliasCert) ? .aliasCert : .deviceCert)
    }

    /// Records a request that waits for the device reset and ends the request with
    /// ERROR(ResetRequired) (1.3: its CSRTrackingTag as error data), keeping the record.
    private mutating func recordForReset(_ message: GetCSRRequest, tag: UInt8, modern: Bool) throws -> Never {
        var pending = device.provisioned.pendingReset.csrRequests
        var assigned: UInt8 = 0
        if modern {
            if tag != 0 {
                guard let recorded = pending[tag] else {
                    throw ResponderError.invalidRequest("no pending CSR request with CSRTrackingTag \(tag)")
                }
                guard !recorded.ready else {
                    throw ResponderError.invalidRequest("the request differs from the one recorded under CSRTrackingTag \(tag)")
                }
                throw ResponderError(.busy, "the CSR request with CSRTrackingTag \(tag) waits for the device reset")
            }
            if message.attributes.overwrite { pending.removeAll() }
            guard let free = (UInt8(1)...GetCSRRequest.maxTrackingTag).first(where: { pending[$0] == nil }) else {
                throw ResponderError(.busy, "every CSRTrackingTag is in use")
            }
            assigned = free
        }
        pending[assigned] = PendingCSR(keyPairID: message.keyPairID,
                                       requestAttributes: modern ? GetCSRRequest.Attributes(rawValue: message.attributes.rawValue & 0x7F)
                                           .with(trackingTag: assigned).rawValue : 0,
                                       requesterInfo: message.requesterInfo, opaqueData: message.opaqueData)
        var provisioned = device.provisioned
        provisioned.pendingReset.csrRequests = pending
        provisioned.acknowledge()
        record(provisioned)
        throw ResponderError(.resetRequired, data: assigned, "the CSR needs a device reset (CSRTrackingTag \(assigned))").keepingStateChanges
    }

    /// A new key for an empty key pair (GEN_KEY_CAP): of its current algorithm, else of the
    /// negotiated one when the key pair supports it, else of its configured algorithm.
    func generateKey(for pair: ServedKeyPair, algorithms: NegotiatedAlgorithms?) throws -> PrivateKey {
        guard pair.configured.capabilities.contains(.generateKey) else {
            throw ResponderError.invalidRequest("key pair \(pair.id) holds no key and cannot generate one")
        }
        let negotiated = algorithms?.asym.map { KeyPairAsymAlgorithms($0) } ?? []
        let candidates = [pair.asymAlgorithm, negotiated, pair.configured.configuredAlgorithm]
        guard let choice = candidates.first(where: { $0.isSingleBit && pair.configured.asymAlgorithmCapabilities.contains($0) }),
              let algorithm = choice.generationAlgorithm else {
            throw ResponderError.invalidRequest("key pair \(pair.id) has no algorithm to generate a key of")
        }
        do { return try PrivateKey.generate(algorithm) } catch {
            throw ResponderError.unspecified("key generation for key pair \(pair.id) failed: \(error)")
        }
    }

    /// The CSR's signature hash: the negotiated one where the key can use it (SM2 signs with SM3,
    /// RSA does not, EdDSA ignores it).
    static func csrHash(_ negotiated: HashAlgorithm?, key: PrivateKey) -> HashAlgorithm? {
        switch key.keyType {
        case .sm2: return .sm3_256
        case .rsa: return negotiated == .sm3_256 ? nil : negotiated
        default: return negotiated
        }
    }
}

extension PendingCSR {
    /// The same request as the one recorded (1.3: with its tag; Overwrite is not part of it).
    func matches(_ message: GetCSRRequest) -> Bool {
        keyPairID == message.keyPairID && requestAttributes == message.attributes.rawValue & 0x7F
            && requesterInfo == message.requesterInfo && opaqueData == message.opaqueData
    }
}
