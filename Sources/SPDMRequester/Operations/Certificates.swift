import SPDMCore
import SPDMCrypto
import SPDMWire

/// GET_DIGESTS and GET_CERTIFICATE (DSP0274 §10.6-10.7): message B of the transcript, and the
/// verification of the retrieved chain.
extension RequesterConnection {
    // MARK: GET_DIGESTS -> DIGESTS

    func startGetDigests() throws -> [UInt8] {
        let algorithms = try algorithms(for: .getDigests)
        try requireResponder(.cert, "CERT_CAP for GET_DIGESTS")
        return GetDigestsRequest(version: algorithms.version).encoded(context: algorithms.wireContext)
    }

    mutating func receiveDigests(_ response: [UInt8], pending: Pending) throws -> RequesterAction {
        let algorithms = try algorithms(for: pending.code)
        try checkVersion(response, code: pending.code, expected: algorithms.version)
        let message = try decode(pending.code) { try DigestsResponse(decoding: response, context: algorithms.wireContext) }
        let perSlot = algorithms.wireContext.hashSize + (message.keyPairIDs.isEmpty ? 0 : 4)
        let bytes = try exact(response, length: 4 + message.digests.count * perSlot, code: pending.code)
        guard message.provisionedSlotMask != 0 else {
            throw RequesterError.malformedResponse(request: pending.code, reason: "DIGESTS lists no provisioned slot")
        }
        var bySlot: [UInt8: [UInt8]] = [:]
        var keyPairs: [UInt8: SlotKeyPair] = [:]
        var index = 0
        for slot in UInt8(0)..<8 where message.provisionedSlotMask & (1 << slot) != 0 {
            bySlot[slot] = message.digests[index]
            if index < message.keyPairIDs.count {
                keyPairs[slot] = SlotKeyPair(keyPairID: message.keyPairIDs[index],
                                             certificateModel: CertificateModel(rawValue: message.certificateInfos[index] & CertificateModel.mask),
                                             keyUsage: message.keyUsageMasks[index])
            }
            index += 1
        }
        slotKeyPairs = keyPairs
        digests = bySlot
        provisionedSlotMask = message.provisionedSlotMask
        supportedSlotMask = algorithms.version >= .v13 ? message.supportedSlotMask : message.provisionedSlotMask
        if algorithms.version >= .v13, message.supportedSlotMask & message.provisionedSlotMask != message.provisionedSlotMask {
            throw RequesterError.malformedResponse(request: pending.code, reason: "ProvisionedSlotMask is not within SupportedSlotMask")
        }
        transcript.appendB(pending.request + bytes)
        if algorithms.multiKeyConnectionResponder { transcript.recordD(bytes) }
        return .completed(.digests(bySlot))
    }

    // MARK: GET_CERTIFICATE -> CERTIFICATE, in portions

    func startGetCertificate(slot: UInt8, pending: inout Pending) throws -> [UInt8] {
        let algorithms = try algorithms(for: .getCertificate)
        try requireResponder(.cert, "CERT_CAP for GET_CERTIFICATE")
        guard slot < 8 else { throw RequesterError.invalidState("slot \(slot) is not 0-7") }
        pending.certificate = CertificateAssembly(slot: slot)
        return certificateRequest(slot: slot, offset: 0, version: algorithms.version)
    }

    func certificateRequest(slot: UInt8, offset: Int, version: SPDMVersion) -> [UInt8] {
        var length = configuration.certificatePortionLength
        if version >= .v12 {
            // Never ask for more than one response can carry: one message, or with chunking one
            // large message (CHUNK_GET).
            let carried = largeMessageTransfer.chunking ? configuration.maxSPDMMessageSize : configuration.dataTransferSize
            let fits = Int(carried) - 8
            if fits > 0 { length = UInt16(min(Int(length), fits)) }
        }
        return GetCertificateRequest(version: version, slotID: slot, offset: UInt16(offset), length: length)
            .encoded(context: .unnegotiated(version))
    }

    mutating func receiveCertificate(_ response: [UInt8], pending current: Pending) throws -> RequesterAction {
        var current = current
        let algorithms = try algorithms(for: current.code)
        guard var assembly = current.certificate else { throw RequesterError.invalidState("no certificate retrieval in flight") }
        try checkVersion(response, code: current.code, expected: algorithms.version)
        let message = try decode(current.code) { try CertificateResponse(decoding: response, context: algorithms.wireContext) }
        let bytes = try exact(response, length: 8 + message.portion.count, code: current.code)
        let requested = try GetCertificateRequest(decoding: current.request, context: algorithms.wireContext)
        guard message.slotID == assembly.slot else {
            throw RequesterError.slotMismatch(request: current.code, expected: assembly.slot, got: message.slotID)
        }
        guard message.portion.count <= Int(requested.length) else {
            throw RequesterError.malformedResponse(request: current.code,
                                                   reason: "PortionLength \(message.portion.count) over the \(requested.length) asked for")
        }
        let received = assembly.bytes.count + message.portion.count
        let total = received + Int(message.remainderLength)
        // The chain's own Length field and GET_CERTIFICATE's Offset are u16: a responder announcing
        // more would have us ask for an offset past 0xFFFF.
        guard total <= Int(UInt16.max) else {
            throw RequesterError.malformedResponse(request: current.code,
                                                   reason: "PortionLength and RemainderLength make a \(total)-byte chain, over 65535")
        }
        if let expected = assembly.total, expected != total {
            throw RequesterError.malformedResponse(request: current.code,
                                                   reason: "RemainderLength implies a \(total)-byte chain, earlier portions said \(expected)")
        }
        if message.portion.isEmpty && message.remainderLength != 0 {
            throw RequesterError.malformedResponse(request: current.code, reason: "empty portion with \(message.remainderLength) bytes remaining")
        }
        assembly.total = total
        assembly.bytes += message.portion
        assembly.certificateInfo = message.certificateInfo
        transcript.appendB(current.request + bytes)

        if message.remainderLength != 0 {
            current.request = certificateRequest(slot: assembly.slot, offset: assembly.bytes.count, version: algorithms.version)
            current.certificate = assembly
            // The next portion is a new GET_CERTIFICATE: the same transcript rules apply.
            transcript.willHandle(request: .getCertificate, authenticated: authenticated)
            current.notReadyAttempts = 0
            pending = current
            return .send(current.request)
        }
        let chain = try verifyChain(assembly.bytes, slot: assembly.slot, certificateInfo: assembly.certificateInfo, algorithms: algorithms)
        chains[assembly.slot] = chain
        return .completed(.certificateChain(chain))
    }

    /// Every check on a retrieved chain: SPDM chain format, RootHash, the DIGESTS digest, the X.509
    /// path to a trusted root, and a leaf key that fits the negotiated algorithm.
    func verifyChain(_ spdmChain: [UInt8], slot: UInt8, certificateInfo: UInt8,
                     algorithms: NegotiatedAlgorithms) throws -> VerifiedCertificateChain {
        guard let hash = algorithms.hash else { throw RequesterError.negotiationFailed("no hash algorithm negotiated") }
        let parts: (rootHash: [UInt8], certificatesDER: [UInt8])
        do { parts = try CertificateChainFormat.parse(spdmChain, hashSize: hash.digestSize) } catch {
            throw RequesterError.certificateChainFormat(slot: slot, reason: "\(error)")
        }
        let certificates: [Certificate]
        do { certificates = try Certificate.parseConcatenatedDER(parts.certificatesDER, cache: configuration.certificateCache) } catch {
            throw RequesterError.certificateChainFormat(slot: slot, reason: "\(error)")
        }
        guard !certificates.isEmpty else { throw RequesterError.certificateChainFormat(slot: slot, reason: "no certificates") }

        // RootHash: the hash of the chain's root. The first certificate is the root, or (when the
        // root is not sent) an intermediate whose root the requester must hold.
        let firstIsRoot = Digest.hash(hash, certificates[0].der) == parts.rootHash
        let trustedRootMatches = configuration.trustedRoots.contains { Digest.hash(hash, $0.der) == parts.rootHash }
        guard firstIsRoot || trustedRootMatches else { throw RequesterError.rootHashMismatch(slot: slot) }

        if let digest = digests[slot], digest != Digest.hash(hash, spdmChain) {
            throw RequesterError.digestMismatch(slot: slot)
        }

        var anchored = true
        var roots = configuration.trustedRoots
        if roots.isEmpty {
            guard configuration.allowUnanchoredChains else { throw RequesterError.noTrustedRoots(slot: slot) }
            roots = [certificates[0]]
            anchored = false
        }
        do {
            try ChainVerifier.verify(chain: certificates, trustedRoots: roots, options: configuration.chainOptions)
        } catch {
            throw RequesterError.chainVerificationFailed(slot: slot, reason: "\(error)")
        }

        let leaf = certificates[certificates.count - 1]
        if leaf.isCA { throw RequesterError.leafKeyMismatch(slot: slot, reason: "the leaf certificate is a CA") }
        if let asym = algorithms.signing, !leaf.publicKey.matches(asym) {
            throw RequesterError.leafKeyMismatch(slot: slot, reason: "\(leaf.publicKey.keyType) key cannot verify \(asym)")
        }
        return VerifiedCertificateChain(slot: slot, spdmChain: spdmChain, rootHash: parts.rootHash, certificates: certificates,
                                        certificateInfo: certificateInfo, anchored: anchored)
    }

    func requireResponder(_ flags: CapabilityFlags, _ what: String) throws {
        guard let capabilities = responderCapabilities else { throw RequesterError.invalidState("no CAPABILITIES yet") }
        guard !capabilities.flags.intersection(flags).isEmpty else { throw RequesterError.capabilityMissing(what) }
    }
}
