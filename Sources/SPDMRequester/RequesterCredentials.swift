import SPDMCore
import SPDMCrypto
import SPDMWire

/// The requester's own identity for mutual authentication (DSP0274 §10.15/§10.16 session mutual
/// auth, §10.8 basic mutual auth at 1.1): one certificate chain provisioned in one slot, its leaf key
/// and the signature algorithm it signs with (offered in NEGOTIATE_ALGORITHMS as ReqBaseAsymAlg, or
/// for ML-DSA as the 1.4 ReqPqcAsymAlg structure).
///
/// The SPDM chain the responder retrieves (encapsulated GET_CERTIFICATE) and hashes into TH is
/// built per negotiated hash as in DSP0274 Table "Certificate chain format":
///
///     Length (2) | Reserved (2) | RootHash = Hash(first certificate DER) | certificates, root first
public struct RequesterCredentials: Sendable {
    /// DER certificates, root (or first intermediate) first, leaf last.
    public var certificates: [Certificate]
    public var privateKey: PrivateKey
    /// The slot the chain is provisioned in (0...7).
    public var slotID: UInt8
    public var algorithm: SigningAlgorithm

    public init(certificates: [Certificate], privateKey: PrivateKey, slotID: UInt8 = 0, algorithm: SigningAlgorithm) throws {
        guard let leaf = certificates.last else { throw RequesterError.invalidState("requester identity without certificates") }
        guard slotID < 8 else { throw RequesterError.invalidState("requester identity slot \(slotID), slots are 0-7") }
        guard privateKey.matches(algorithm) else {
            throw RequesterError.invalidState("the requester private key does not fit \(algorithm)")
        }
        guard leaf.publicKey.subjectPublicKeyInfoDER == privateKey.publicKey.subjectPublicKeyInfoDER else {
            throw RequesterError.invalidState("the requester private key does not belong to the leaf certificate")
        }
        self.certificates = certificates
        self.privateKey = privateKey
        self.slotID = slotID
        self.algorithm = algorithm
    }

    /// A raw public key identity (PUB_KEY_ID_CAP): no certificate, ReqSlotID 0xFF; the responder knows
    /// the public key in advance and TH hashes its DER SubjectPublicKeyInfo where a chain would be.
    public static func rawPublicKey(_ privateKey: PrivateKey, algorithm: SigningAlgorithm) throws -> RequesterCredentials {
        guard privateKey.matches(algorithm) else { throw RequesterError.invalidState("the requester private key does not fit \(algorithm)") }
        return RequesterCredentials(rawKey: privateKey, algorithm: algorithm)
    }

    private init(rawKey: PrivateKey, algorithm: SigningAlgorithm) {
        certificates = []
        privateKey = rawKey
        slotID = 0xFF
        self.algorithm = algorithm
    }

    /// A raw public key identity (no certificate).
    public var isRawPublicKey: Bool { certificates.isEmpty }

    /// The certificates back to back, as they appear in the SPDM chain.
    public var certificatesDER: [UInt8] { certificates.flatMap(\.der) }

    /// The SPDM certificate chain for `hash`; for a raw public key its DER SubjectPublicKeyInfo.
    public func spdmChain(hash: HashAlgorithm) -> [UInt8] {
        if isRawPublicKey { return privateKey.publicKey.subjectPublicKeyInfoDER }
        return CertificateChainFormat.build(rootHash: Digest.hash(hash, certificates[0].der), certificatesDER: certificatesDER)
    }

    /// The ReqBaseAsymAlg bit of a classic `algorithm` (empty for ML-DSA).
    public var offeredBaseAsym: BaseAsymAlgorithms {
        if case .classic(let classic) = algorithm { return BaseAsymAlgorithms(classic) }
        return []
    }

    /// The ReqPqcAsymAlg bit of an ML-DSA `algorithm` (empty for the classic ones).
    public var offeredPQCAsym: PQCAsymAlgorithms {
        if case .pqc(let pqc) = algorithm { return PQCAsymAlgorithms(pqc) }
        return []
    }
}
