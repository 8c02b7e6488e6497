import SPDMCrypto
import SPDMWire

/// Maps the single-bit wire selections of ALGORITHMS (DSP0274 §10.5) to the crypto layer's algorithms.
extension BaseHashAlgorithms {
    public var hashAlgorithm: HashAlgorithm? {
        switch self {
        case .sha256: return .sha256
        case .sha384: return .sha384
        case .sha512: return .sha512
        case .sha3_256: return .sha3_256
        case .sha3_384: return .sha3_384
        case .sha3_512: return .sha3_512
        case .sm3_256: return .sm3_256
        default: return nil
        }
    }

    public init(_ hash: HashAlgorithm) {
        switch hash {
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        case .sha512: self = .sha512
        case .sha3_256: self = .sha3_256
        case .sha3_384: self = .sha3_384
        case .sha3_512: self = .sha3_512
        case .sm3_256: self = .sm3_256
        }
    }

    public static func named(_ name: String) -> BaseHashAlgorithms? {
        named.first { $0.0 == name.uppercased() }?.1
    }
}

extension MeasurementHashAlgorithms {
    /// nil for "raw bit stream only" or no selection.
    public var hashAlgorithm: HashAlgorithm? { baseHash.hashAlgorithm }
}

extension BaseAsymAlgorithms {
    public var signatureAlgorithm: SignatureAlgorithm? {
        switch self {
        case .rsassa2048: return .rsassa2048
        case .rsapss2048: return .rsapss2048
        case .rsassa3072: return .rsassa3072
        case .rsapss3072: return .rsapss3072
        case .rsassa4096: return .rsassa4096
        case .rsapss4096: return .rsapss4096
        case .ecdsaP256: return .ecdsaP256
        case .ecdsaP384: return .ecdsaP384
        case .ecdsaP521: return .ecdsaP521
        case .sm2P256: return .sm2
        case .eddsaEd25519: return .ed25519
        case .eddsaEd448: return .ed448
        default: return nil
        }
    }

    public init(_ algorithm: SignatureAlgorithm) {
        switch algorithm {
        case .rsassa2048: self = .rsassa2048
        case .rsapss2048: self = .rsapss2048
        case .rsassa3072: self = .rsassa3072
        case .rsapss3072: self = .rsapss3072
        case .rsassa4096: self = .rsassa4096
        case .rsapss4096: self = .rsapss4096
        case .ecdsaP256: self = .ecdsaP256
        case .ecdsaP384: self = .ecdsaP384
        case .ecdsaP521: self = .ecdsaP521
        case .sm2: self = .sm2P256
        case .ed25519: self = .eddsaEd25519
        case .ed448: self = .eddsaEd448
        }
    }

    public static func named(_ name: String) -> BaseAsymAlgorithms? {
        named.first { $0.0 == name.uppercased() }?.1
    }

    /// The ReqBaseAsymAlg structure uses the same bit positions in 16 bits (DSP0274 Table "ReqBaseAsymAlg").
    public var requesterStructureBits: UInt16 { UInt16(truncatingIfNeeded: rawValue) }
}

extension PQCAsymAlgorithms {
    /// nil for a bit this implementation does not sign with (ML-DSA-44, SLH-DSA) or no selection.
    public var signatureAlgorithm: PQCSignatureAlgorithm? {
        switch self {
        case .mlDsa65: return .mlDsa65
        case .mlDsa87: return .mlDsa87
        default: return nil
        }
    }

    public init(_ algorithm: PQCSignatureAlgorithm) {
        switch algorithm {
        case .mlDsa65: self = .mlDsa65
        case .mlDsa87: self = .mlDsa87
        }
    }

    public static func named(_ name: String) -> PQCAsymAlgorithms? {
        named.first { $0.0 == name.uppercased() }?.1
    }
}

extension KEMAlgorithms {
    /// nil for a bit this implementation cannot encapsulate with (ML-KEM-512) or no selection.
    public var kemAlgorithm: KEMAlgorithm? {
        switch self {
        case .mlKem768: return .mlKem768
        case .mlKem1024: return .mlKem1024
        default: return nil
        }
    }

    public init(_ algorithm: KEMAlgorithm) {
        switch algorithm {
        case .mlKem768: self = .mlKem768
        case .mlKem1024: self = .mlKem1024
        }
    }

    public static func named(_ name: String) -> KEMAlgorithms? {
        named.first { $0.0 == name.uppercased() }?.1
    }
}

extension SigningAlgorithm {
    /// spdm-emu's names of the algorithms this implementation signs with: BaseAsymAlgo's
    /// ("ECDSA_P384", ...) then PqcAsymAlgo's ("ML_DSA_65", ...); configs use them too.
    public static let named: [(String, SigningAlgorithm)] =
        BaseAsymAlgorithms.named.compactMap { name, bit in bit.signatureAlgorithm.map { (name, .classic($0)) } }
        + PQCAsymAlgorithms.named.compactMap { name, bit in bit.signatureAlgorithm.map { (name, .pqc($0)) } }

    public static func named(_ name: String) -> SigningAlgorithm? {
        named.first { $0.0 == name.uppercased() }?.1
    }

    /// The spdm-emu name.
    public var name: String { Self.named.first { $0.1 == self }?.0 ?? description }
}

/// Key pair algorithm bits (KEY_PAIR_INFO, SET_KEY_PAIR_INFO) and the key types behind them.
extension KeyPairAsymAlgorithms {
    /// The key pair bit of a key type.
    public init(keyType: KeyType) {
        switch keyType {
        case .rsa(let bits): self = bits >= 4096 ? .rsa4096 : bits >= 3072 ? .rsa3072 : .rsa2048
        case .ec(.p256): self = .ecc256
        case .ec(.p384): self = .ecc384
        case .ec(.p521): self = .ecc521
        case .sm2: self = .sm2
        case .ed25519: self = .ed25519
        case .ed448: self = .ed448
        // SPDM 1.4 reports an ML-DSA key pair in the separate PqcAsymAlgoCapabilities /
        // CurrentPqcAsymAlgo fields (SPDM_KEY_PAIR_PQC_ASYM_ALGO_CAP_*): no bit of this field.
        case .mlDsa: self = []
        }
    }

    /// The key pair bit a negotiated signature algorithm needs.
    public init(_ algorithm: SignatureAlgorithm) { self.init(keyType: algorithm.keyType) }

    /// A signature algorithm that keys of this (single) bit sign with, for key generation.
    public var generationAlgorithm: SignatureAlgorithm? {
        switch self {
        case .rsa2048: return .rsassa2048
        case .rsa3072: return .rsassa3072
        case .rsa4096: return .rsassa4096
        case .ecc256: return .ecdsaP256
        case .ecc384: return .ecdsaP384
        case .ecc521: return .ecdsaP521
        case .sm2: return .sm2
        case .ed25519: return .ed25519
        case .ed448: return .ed448
        default: return nil
        }
    }
}
