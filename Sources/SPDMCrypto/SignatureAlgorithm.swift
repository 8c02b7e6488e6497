/// The asymmetric signature algorithms SPDM negotiates in BaseAsymAlgo / ReqBaseAsymAlg
/// (DSP0274 NEGOTIATE_ALGORITHMS, "BaseAsymAlgo" table).
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case rsassa2048, rsassa3072, rsassa4096, rsapss2048, rsapss3072, rsapss4096,
         ecdsaP256, ecdsaP384, ecdsaP521, ed25519, ed448, sm2

    /// Size of the signature as it appears on the SPDM wire (DSP0274 "Signature" field encodings):
    /// RSA: modulus bytes; ECDSA and SM2: r||s, each the coordinate size; EdDSA: R||S per RFC 8032.
    public var signatureSize: Int {
        switch self {
        case .rsassa2048, .rsapss2048: return 256
        case .rsassa3072, .rsapss3072: return 384
        case .rsassa4096, .rsapss4096: return 512
        case .ecdsaP256: return 64
        case .ecdsaP384: return 96
        case .ecdsaP521: return 132
        case .ed25519: return 64
        case .ed448: return 114
        case .sm2: return 64
        }
    }

    /// The key family and size this algorithm signs with.
    public var keyType: KeyType {
        switch self {
        case .rsassa2048, .rsapss2048: return .rsa(bits: 2048)
        case .rsassa3072, .rsapss3072: return .rsa(bits: 3072)
        case .rsassa4096, .rsapss4096: return .rsa(bits: 4096)
        case .ecdsaP256: return .ec(.p256)
        case .ecdsaP384: return .ec(.p384)
        case .ecdsaP521: return .ec(.p521)
        case .ed25519: return .ed25519
        case .ed448: return .ed448
        case .sm2: return .sm2
        }
    }

    /// True for algorithms that hash the message themselves with the negotiated hash
    /// (RSA, ECDSA); false for EdDSA (pure) and SM2 (always SM3 with the Z prefix).
    public var usesNegotiatedHash: Bool {
        switch self {
        case .ed25519, .ed448, .sm2: return false
        default: return true
        }
    }

    /// The hash X.509 certificates signed by such a key conventionally use (libspdm sample_key
    /// profile); nil for EdDSA, which signs without a separate digest.
    public var defaultCertificateHash: HashAlgorithm? {
        switch self {
        case .rsassa2048, .rsapss2048, .ecdsaP256: return .sha256
        case .rsassa3072, .rsapss3072, .ecdsaP384: return .sha384
        case .rsassa4096, .rsapss4096, .ecdsaP521: return .sha512
        case .ed25519, .ed448: return nil
        case .sm2: return .sm3_256
        }
    }
}

/// A key family with its size.
public enum KeyType: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ec(NamedCurve)
    case ed25519, ed448, sm2
    /// ML-DSA (FIPS 204) of one parameter set.
    case mlDsa(PQCSignatureAlgorithm)

    public var description: String {
        switch self {
        case .rsa(let bits): return "RSA-\(bits)"
        case .ec(let curve): return "EC \(curve.rawValue)"
        case .ed25519: return "Ed25519"
        case .ed448: return "Ed448"
        case .sm2: return "SM2"
        case .mlDsa(let algorithm): return algorithm.displayName
        }
    }
}

/// NIST curves used for ECDSA in SPDM.
public enum NamedCurve: String, Sendable, Hashable, CaseIterable, Codable {
    case p256 = "prime256v1", p384 = "secp384r1", p521 = "secp521r1"

    /// Bytes per coordinate (and per r / s in an SPDM ECDSA signature).
    public var coordinateSize: Int {
        switch self {
        case .p256: return 32
        case .p384: return 48
        case .p521: return 66
        }
    }
}
