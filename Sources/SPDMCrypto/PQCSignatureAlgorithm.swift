/// The post-quantum signature algorithms of SPDM 1.4's PqcAsymAlgo / ReqPqcAsymAlg fields
/// (DSP0274 1.4 NEGOTIATE_ALGORITHMS "PqcAsymAlgo": bit 0 ML-DSA-44, bit 1 ML-DSA-65, bit 2 ML-DSA-87,
/// bits 3-14 SLH-DSA), implemented with swift-crypto's ML-DSA (FIPS 204). swift-crypto 4.5.2 offers
/// ML-DSA-65 and ML-DSA-87 only (its BoringSSL has ML-DSA-44, but no public Swift type wraps it), so
/// ML-DSA-44 is not offered here.
///
/// How SPDM signs with ML-DSA (DSP0274 1.4 §15, "Signature generation"):
///
///     M   = combined_spdm_prefix || Hash(transcript)      (100 + H bytes, as for 1.2+ RSA/ECDSA)
///     ctx = the signing context string alone, unpadded, e.g. "responder-challenge_auth signing"
///     signature = ML-DSA.Sign(sk, M, ctx)                 pure ML-DSA (FIPS 204 Algorithm 2), not HashML-DSA
///
/// The string that ends combined_spdm_prefix is also FIPS 204's context, the same rule DSP0274 gives
/// Ed448's context C. We confirmed the reading against DMTF's public reference implementation when
/// it was written. Signing is hedged (randomized, FIPS 204's default); verification does not depend
/// on it. X.509 certificates are signed with pure ML-DSA and an empty context (RFC 9881).
public enum PQCSignatureAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case mlDsa65, mlDsa87

    /// Signature bytes on the SPDM wire and in X.509 (FIPS 204 Table 2).
    public var signatureSize: Int {
        switch self {
        case .mlDsa65: return 3309
        case .mlDsa87: return 4627
        }
    }

    /// Public key bytes (FIPS 204 pkEncode).
    public var publicKeySize: Int {
        switch self {
        case .mlDsa65: return 1952
        case .mlDsa87: return 2592
        }
    }

    /// Expanded private key bytes (FIPS 204 skEncode), as PKCS#8 `expandedKey` carries it.
    var expandedPrivateKeySize: Int {
        switch self {
        case .mlDsa65: return 4032
        case .mlDsa87: return 4896
        }
    }

    /// The private key is the 32-byte seed ξ of ML-DSA.KeyGen_internal (FIPS 204 Algorithm 6).
    public static let seedSize = 32

    /// Longest FIPS 204 context string.
    public static let maximumContextSize = 255

    public var keyType: KeyType { .mlDsa(self) }

    /// id-ml-dsa-65 2.16.840.1.101.3.4.3.18 / id-ml-dsa-87 …3.19 (NIST CSOR; RFC 9881), used both as
    /// the SPKI / PKCS#8 algorithm and as the certificate signatureAlgorithm, parameters absent.
    public var objectIdentifier: String {
        switch self {
        case .mlDsa65: return "2.16.840.1.101.3.4.3.18"
        case .mlDsa87: return "2.16.840.1.101.3.4.3.19"
        }
    }

    /// The OID's DER content octets.
    var objectIdentifierContent: [UInt8] {
        switch self {
        case .mlDsa65: return PQCObjectIdentifier.nistAlgorithms + [0x03, 0x12]
        case .mlDsa87: return PQCObjectIdentifier.nistAlgorithms + [0x03, 0x13]
        }
    }

    init?(objectIdentifierContent content: [UInt8]) {
        guard let match = Self.allCases.first(where: { $0.objectIdentifierContent == content }) else { return nil }
        self = match
    }

    /// Display name as FIPS 204 spells it.
    public var displayName: String {
        switch self {
        case .mlDsa65: return "ML-DSA-65"
        case .mlDsa87: return "ML-DSA-87"
        }
    }
}

/// Shared prefix of the NIST algorithm OIDs: 2.16.840.1.101.3.4 (csor nistAlgorithms).
enum PQCObjectIdentifier {
    static let nistAlgorithms: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04]
}
