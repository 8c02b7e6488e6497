import SPDMCrypto
import SPDMWire

/// One certificate slot as the config defines it (DSP0274 §10.6-10.7): a chain, the private key of
/// its leaf, its model, and the key pair that key belongs to. What is served comes from these and
/// the device's provisioning (Provisioning/ServedState.swift).
public struct CertificateSlot: Sendable {
    public var id: UInt8
    /// DER certificates back to back, root (or first intermediate) first, leaf last.
    public var certificatesDER: [UInt8]
    /// The root certificate whose hash is the chain's RootHash (the chain's first certificate by default).
    public var rootCertificateDER: [UInt8]
    public var privateKey: PrivateKey
    /// CertificateInfo CertModel (1.3+): 1 DeviceCert, 2 AliasCert, 3 GenericCert.
    public var certificateModel: UInt8
    /// The key pair (1.3 KeyPairID) whose key `privateKey` is; 0 until the device assigns one (a
    /// device without explicit key pairs gets one key pair per slot).
    public var keyPairID: UInt8
    /// The same slot's chains for other signing algorithms (a hybrid device, DSP0274 1.4: one slot
    /// serves the chain that fits the algorithm ALGORITHMS negotiated, classic or post-quantum).
    /// Config only: provisioning changes the primary chain above.
    public var otherAlgorithmChains: [AlgorithmChain] = []

    /// One chain and leaf key of a slot for one signing algorithm.
    public struct AlgorithmChain: Sendable {
        public var certificatesDER: [UInt8]
        public var rootCertificateDER: [UInt8]
        public var privateKey: PrivateKey

        public init(certificatesDER: [UInt8], rootCertificateDER: [UInt8], privateKey: PrivateKey) {
            self.certificatesDER = certificatesDER
            self.rootCertificateDER = rootCertificateDER
            self.privateKey = privateKey
        }
    }

    /// Every leaf key of the slot, the primary chain's first.
    public var allKeys: [PrivateKey] { [privateKey] + otherAlgorithmChains.map(\.privateKey) }

    public init(id: UInt8, certificatesDER: [UInt8], rootCertificateDER: [UInt8], privateKey: PrivateKey,
                certificateModel: UInt8 = 1, keyPairID: UInt8 = 0) {
        self.id = id
        self.certificatesDER = certificatesDER
        self.rootCertificateDER = rootCertificateDER
        self.privateKey = privateKey
        self.certificateModel = certificateModel
        self.keyPairID = keyPairID
    }

    /// The SPDM certificate chain for a negotiated hash: Length, Reserved, RootHash, certificates.
    public func spdmChain(hash: HashAlgorithm) -> [UInt8] {
        CertificateChainFormat.build(rootHash: Digest.hash(hash, rootCertificateDER), certificatesDER: certificatesDER)
    }
}
