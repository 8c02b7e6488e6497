import SPDMCore
import SPDMCrypto
import SPDMWire

/// A certificate slot as the device serves it right now: GET_DIGESTS, GET_CERTIFICATE, CHALLENGE,
/// GET_MEASUREMENTS and KEY_EXCHANGE all read slots from here, never from the config directly.
public struct ServedSlot: Sendable {
    public var id: UInt8
    /// DER certificates back to back, root first, leaf last.
    public var certificatesDER: [UInt8]
    /// The certificate whose hash is the chain's RootHash.
    public var rootCertificateDER: [UInt8]
    public var certificateModel: CertificateModel
    /// The key pair associated with the slot (0: none — the slot then cannot sign).
    public var keyPairID: UInt8
    /// KeyUsageMask of that key pair (empty without one).
    public var keyUsage: KeyUsageMask
    /// The key that signs for this slot, nil when its key pair is missing, empty or erased.
    public var signingKey: PrivateKey?
    /// Slot 0xFF (raw public key, Provisioning/RawPublicKey.swift): the DER SubjectPublicKeyInfo
    /// that stands in for the chain in transcripts and CertChainHash.
    public var rawPublicKeyDER: [UInt8]? = nil

    /// The SPDM certificate chain for a negotiated hash: Length, Reserved, RootHash, certificates;
    /// for slot 0xFF the raw public key.
    public func spdmChain(hash: HashAlgorithm) -> [UInt8] {
        if let rawPublicKeyDER { return rawPublicKeyDER }
        return CertificateChainFormat.build(rootHash: Digest.hash(hash, rootCertificateDER), certificatesDER: certificatesDER)
    }
}

/// A key pair as the device holds it right now (GET_KEY_PAIR_INFO, SET_KEY_PAIR_INFO, GET_CSR).
public struct ServedKeyPair: Sendable {
    public var configured: KeyPair
    public var privateKey: PrivateKey?
    public var keyUsage: KeyUsageMask
    public var asymAlgorithm: KeyPairAsymAlgorithms
    public var pqcAsymAlgorithm: UInt32
    public var associatedSlotMask: UInt8

    public var id: UInt8 { configured.id }

    /// These settings as provisioning records them.
    public var settings: KeyPairSettings {
        KeyPairSettings(keyUsage: keyUsage.rawValue, asymAlgorithm: asymAlgorithm.rawValue, pqcAsymAlgorithm: pqcAsymAlgorithm,
                        associatedSlotMask: associatedSlotMask, erased: privateKey == nil && configured.privateKey != nil)
    }
}

extension ResponderDevice {
    /// TotalKeyPairs of KEY_PAIR_INFO.
    public var totalKeyPairs: UInt8 { UInt8(truncatingIfNeeded: keyPairs.count) }

    /// Key pair `id` with what provisioning changed, or nil for an id the device does not have.
    public func servedKeyPair(_ id: UInt8) -> ServedKeyPair? {
        guard var configured = keyPairs.first(where: { $0.id == id }) else { return nil }
        let configuredMask = slots.reduce(UInt8(0)) { $1.keyPairID == id ? $0 | 1 << $1.id : $0 }
        // The slots carry the key material: a slot the control API replaced brings its key to its key pair.
        if let backing = slots.first(where: { $0.keyPairID == id }) { configured.privateKey = backing.privateKey }
        guard let settings = provisioned.keyPairs[id] else {
            return ServedKeyPair(configured: configured, privateKey: configured.privateKey, keyUsage: configured.keyUsage,
                                 asymAlgorithm: configured.privateKey == nil ? [] : configured.configuredAlgorithm,
                                 pqcAsymAlgorithm: configured.configuredPQCAlgorithm.rawValue, associatedSlotMask: configuredMask)
        }
        let algorithm = KeyPairAsymAlgorithms(rawValue: settings.asymAlgorithm)
        var key: PrivateKey? = nil
        if let generated = settings.generatedKey {
            key = try? PrivateKey(der: generated)
        } else if !settings.erased {
            key = configured.privateKey
        }
        // A key of another type than CurrentAsymAlgo (a Change of algorithm) is no key of this pair.
        if let current = key, KeyPairAsymAlgorithms(keyType: current.keyType) != algorithm { key = nil }
        return ServedKeyPair(configured: configured, privateKey: key, keyUsage: KeyUsageMask(rawValue: settings.keyUsage),
                             asymAlgorithm: algorithm, pqcAsymAlgorithm: settings.pqcAsymAlgorithm,
                             associatedSlotMask: settings.associatedSlotMask)
    }

    /// Every key pair, by id.
    public var servedKeyPairs: [ServedKeyPair] { keyPairs.compactMap { servedKeyPair($0.id) } }

    /// The key pair a slot belongs to: the lowest id whose AssocCertSlotMask has the slot.
    func associatedKeyPair(ofSlot slot: UInt8, among pairs: [ServedKeyPair]) -> ServedKeyPair? {
        pairs.first { $0.associatedSlotMask & (1 << slot) != 0 }
    }

    /// The slots that hold a chain, in slot order: an installed chain replaces the config's, an
    /// erased slot serves nothing; the key comes from the slot's key pair.
    public var servedSlots: [ServedSlot] {
        let pairs = servedKeyPairs
        return (UInt8(0)..<8).compactMap { servedSlot($0, keyPairs: pairs) }
    }

    /// Slot `id` as served, nil when it holds no chain.
    public func servedSlot(_ id: UInt8) -> ServedSlot? { servedSlot(id, keyPairs: servedKeyPairs) }

    private func servedSlot(_ id: UInt8, keyPairs pairs: [ServedKeyPair]) -> ServedSlot? {
        let pair = associatedKeyPair(ofSlot: id, among: pairs)
        var served: ServedSlot
        if let installed = provisioned.installedChains[id] {
            served = ServedSlot(id: id, certificatesDER: installed.certificatesDER, rootCertificateDER: installed.rootCertificateDER,
                                certificateModel: CertificateModel(rawValue: installed.certificateModel), keyPairID: 0,
                                keyUsage: [], signingKey: nil)
        } else if !provisioned.erasedSlots.contains(id), let configured = slot(id) {
            served = ServedSlot(id: id, certificatesDER: configured.certificatesDER, rootCertificateDER: configured.rootCertificateDER,
                                certificateModel: CertificateModel(rawValue: configured.certificateModel), keyPairID: 0,
                                keyUsage: [], signingKey: nil)
        } else {
            return nil
        }
        if let pair {
            served.keyPairID = pair.id
            served.keyUsage = pair.keyUsage
            served.signingKey = pair.privateKey
        } else if provisioned.installedChains[id] == nil, let configured = slot(id), configured.keyPairID == 0 {
            // A slot added at run time (control API) without a key pair signs with its own key.
            served.keyUsage = .spdm
            served.signingKey = configured.privateKey
        }
        return served
    }

    /// The slots as served on a connection that signs with `algorithm` (see `servedSlot(_:for:)`).
    public func servedSlots(for algorithm: SigningAlgorithm?) -> [ServedSlot] {
        let pairs = servedKeyPairs
        return (UInt8(0)..<8).compactMap { servedSlot($0, keyPairs: pairs).map { fitted($0, to: algorithm) } }
    }

    /// Slot `id` as served on a connection that signs with `algorithm`: when the slot's own key does
    /// not sign with it but the config gives the slot a chain for it (`otherAlgorithmChains`, a hybrid
    /// device), that chain and key; otherwise the slot as served.
    public func servedSlot(_ id: UInt8, for algorithm: SigningAlgorithm?) -> ServedSlot? {
        servedSlot(id).map { fitted($0, to: algorithm) }
    }

    /// Every key some served slot signs with on some connection (the raw public key included): what
    /// NEGOTIATE_ALGORITHMS may select an algorithm for.
    public var servedSigningKeys: [PrivateKey] {
        servedSlots.flatMap { served in
            [served.signingKey].compactMap { $0 }
                + (provisioned.installedChains[served.id] == nil ? slot(served.id)?.otherAlgorithmChains.map(\.privateKey) ?? [] : [])
        } + [rawPublicKeySlot?.signingKey].compactMap { $0 }
    }

    private func fitted(_ served: ServedSlot, to algorithm: SigningAlgorithm?) -> ServedSlot {
        guard let algorithm, served.rawPublicKeyDER == nil, !(served.signingKey?.matches(algorithm) ?? false),
              provisioned.installedChains[served.id] == nil,
              let chain = slot(served.id)?.otherAlgorithmChains.first(where: { $0.privateKey.matches(algorithm) }) else { return served }
        var fitted = served
        fitted.certificatesDER = chain.certificatesDER
        fitted.rootCertificateDER = chain.rootCertificateDER
        fitted.signingKey = chain.privateKey
        return fitted
    }

    /// ProvisionedSlotMask of DIGESTS.
    public var servedSlotMask: UInt8 { servedSlots.reduce(0) { $0 | 1 << $1.id } }

    /// SupportedSlotMask of DIGESTS: the configured slots, the ones provisioning filled, and any a
    /// key pair may be associated with.
    public var servedSupportedSlotMask: UInt8 { supportedSlotMask | servedSlotMask }
}
